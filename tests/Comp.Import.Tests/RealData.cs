using Comp.Import.Mapping;
using Comp.Import.Reading;

namespace Comp.Import.Tests;

/// <summary>The unedited public files in ../shared/data/real beside the repository, and the shipped mapping files.</summary>
internal static class RealData
{
    /// <summary>The repository root: the folder holding Comp.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Folder => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "real"));

    public static string File(string name) => Path.Combine(Folder, name);

    public static string MappingPath(string name) => Path.Combine(Root, "src", "Comp.Import", "mappings", name + ".json");

    public static MappingFile Mapping(string name) => MappingFile.Load(MappingPath(name));

    /// <summary>The rows of a real file starting on the given source lines, read as the importer reads them.</summary>
    public static Dictionary<long, SourceRow> Rows(string file, MappingFile mapping, params long[] lines)
    {
        using var reader = SourceReader.Open(File(file), mapping);
        var wanted = lines.ToHashSet();
        return reader.Rows().Where(r => wanted.Contains(r.Line)).ToDictionary(r => r.Line);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Comp.sln")))
                return folder.FullName;
        }
        throw new InvalidOperationException($"No Comp.sln above {AppContext.BaseDirectory}.");
    }
}
