namespace Comp.Import.Reading;

/// <summary>One record of a source file: where it starts, its text as written, its values by column.</summary>
/// <param name="Line">The physical line the record starts on, counted from 1 (a multi-line record counts all its lines).</param>
/// <param name="ReadError">Why the record could not be read at all (a malformed NDJSON line); null when it was.</param>
internal sealed record SourceRow(long Line, string Raw, IReadOnlyDictionary<string, string> Values, string? ReadError = null)
{
    /// <summary>The trimmed value of <paramref name="column"/>; empty when the column is missing or blank.</summary>
    public string Get(string column) => Values.TryGetValue(column, out var value) ? value.Trim() : "";
}
