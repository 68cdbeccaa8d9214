namespace Comp.Api.Tests.Infrastructure;

/// <summary>Finds the project's shared folder (../shared beside the checkout) for the real data files.</summary>
public static class SharedData
{
    public static string RealFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Comp.sln")))
            {
                var path = Path.Combine(dir.FullName, "..", "shared", "data", "real", name);
                if (File.Exists(path))
                    return Path.GetFullPath(path);
                throw new FileNotFoundException($"The real data file is expected beside the checkout at {Path.GetFullPath(path)}.");
            }
        }
        throw new DirectoryNotFoundException("No Comp.sln above the test binaries.");
    }

    /// <summary>A minimal RFC 4180 reader: quoted fields, doubled quotes, commas inside quotes.</summary>
    public static IEnumerable<string[]> ReadCsv(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0)
                continue;
            var fields = new List<string>();
            var current = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else current.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
                else current.Append(c);
            }
            fields.Add(current.ToString());
            yield return [.. fields];
        }
    }
}
