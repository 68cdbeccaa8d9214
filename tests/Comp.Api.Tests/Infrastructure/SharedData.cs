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

    /// <summary>The rows of a CSV file without multi-line fields, split like the seed files are.</summary>
    public static IEnumerable<string[]> ReadCsv(string path) =>
        File.ReadLines(path).Where(line => line.Length > 0).Select(line => Comp.Api.Data.Seed.TaxonomySeed.SplitCsvLine(line).ToArray());
}
