using Comp.Import;
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await ImportCommand.RunAsync(args, AnsiConsole.Console, cancel.Token);
