using System.Text.RegularExpressions;

namespace Comp.Import;

/// <summary>What an import did: counts at each stage, the reasons rows were rejected, and why it stopped early if it did.</summary>
internal sealed partial class ImportSummary
{
    private readonly Dictionary<string, int> reasons = new(StringComparer.Ordinal);

    public bool DryRun { get; init; }

    public required string RejectFile { get; init; }

    /// <summary>Data rows read from the source (the header and skipped banner rows not counted).</summary>
    public int Read { get; set; }

    /// <summary>Rows that became datapoints.</summary>
    public int Mapped { get; set; }

    public int RejectedByImporter { get; set; }

    public int Sent { get; set; }

    public int Accepted { get; set; }

    public int RejectedByApi { get; set; }

    /// <summary>Mapped rows whose pay was a range, its midpoint taken.</summary>
    public int Ranges { get; set; }

    /// <summary>Mapped rows whose pay was an open range (<c>85000 -</c>), its one bound taken.</summary>
    public int OpenRanges { get; set; }

    /// <summary>Mapped rows whose pay was hourly, weekly, bi-weekly or monthly, annualised.</summary>
    public int Annualised { get; set; }

    /// <summary>Why the import stopped before the end of the file (the API unreachable, the key refused); null when it ran through.</summary>
    public string? Failure { get; set; }

    /// <summary>Counts a reject reason (without the row's value), grouped with others that differ only in quoted values.</summary>
    public void CountReason(string reason)
    {
        var group = Group(reason);
        reasons[group] = reasons.GetValueOrDefault(group) + 1;
    }

    public IReadOnlyList<(string Reason, int Count)> TopReasons(int count) =>
        reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Take(count).Select(r => (r.Key, r.Value)).ToList();

    private static string Group(string reason) => Quoted().Replace(reason, "'…'");

    [GeneratedRegex("'[^']*'")]
    private static partial Regex Quoted();
}
