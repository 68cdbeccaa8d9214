using CsvHelper;

namespace Comp.Import;

/// <summary>
/// The rows that were not stored, as CSV: <c>line</c> (where the row starts in the source file),
/// <c>stage</c> (<c>import</c>: the importer could not map it; <c>api</c>: the API refused it),
/// <c>reason</c> and <c>raw</c> (the row as written in the source).
/// </summary>
internal sealed class RejectFile : IDisposable
{
    private readonly CsvWriter csv;

    public RejectFile(string path)
    {
        Path = path;
        csv = CsvWriter.ToFile(path, new CsvWriterOptions { NewLine = "\n" });
        csv.WriteHeader(["line", "stage", "reason", "raw"]);
    }

    public string Path { get; }

    public void Write(long line, string stage, string reason, string raw) =>
        csv.WriteRecord([line.ToString(System.Globalization.CultureInfo.InvariantCulture), stage, reason, raw]);

    public void Dispose() => csv.Dispose();
}
