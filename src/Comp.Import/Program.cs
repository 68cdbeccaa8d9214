Console.WriteLine("comp-import");
