namespace Comp.Statistics;

/// <summary>
/// The thresholds that protect the people and employers behind a cell (SPEC §2). Each is
/// configurable; the defaults are the published rules.
/// </summary>
public sealed record DisclosureRules
{
    /// <summary>A cell with fewer datapoints is suppressed (<c>too_few_datapoints</c>).</summary>
    public int MinDatapoints { get; init; } = 5;

    /// <summary>Percentiles below 25 or above 75 need at least this many datapoints.</summary>
    public int MinDatapointsOutsideQuartiles { get; init; } = 10;

    /// <summary>Percentiles below 10 or above 90 need at least this many datapoints.</summary>
    public int MinDatapointsInTails { get; init; } = 20;

    /// <summary>A cell spanning several employers needs at least this many of them (<c>too_few_employers</c>).</summary>
    public int MinEmployers { get; init; } = 5;

    /// <summary>No employer may hold more than this share of a multi-employer cell (<c>employer_dominance</c>).</summary>
    public double MaxEmployerShare { get; init; } = 0.25;

    /// <summary>
    /// A saved peer group needs at least this many employers, and so does, in the protected tier, an ad hoc
    /// employer set (a comma list in <c>employer</c>, an exclusion, a peer group narrowed by other filters).
    /// </summary>
    public int MinPeerGroupEmployers { get; init; } = 10;

    /// <summary>A new peer group must differ from every existing one by at least this many employers (<see cref="Disclosure.PeerGroupDifference"/>).</summary>
    public int MinPeerGroupDifference { get; init; } = 3;

    public static DisclosureRules Default { get; } = new();

    public string Describe() =>
        $"cells need >= {MinDatapoints} datapoints; percentiles below 25 or above 75 need >= {MinDatapointsOutsideQuartiles}, " +
        $"below 10 or above 90 >= {MinDatapointsInTails}; multi-employer cells need >= {MinEmployers} employers " +
        $"and no employer above {(MaxEmployerShare * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}% of the datapoints; a percentile equal to the cell's smallest or largest value is withheld";
}

/// <summary>The fixed reason codes of a suppressed cell.</summary>
public static class SuppressionReasons
{
    public const string TooFewDatapoints = "too_few_datapoints";
    public const string TooFewEmployers = "too_few_employers";
    public const string EmployerDominance = "employer_dominance";
}

/// <summary>What disclosure needs to know about a cell besides its values.</summary>
/// <param name="Datapoints">How many datapoints the cell holds.</param>
/// <param name="Employers">How many distinct employers they come from.</param>
/// <param name="LargestEmployerDatapoints">How many datapoints the largest of those employers holds.</param>
public readonly record struct CellCounts(int Datapoints, int Employers, int LargestEmployerDatapoints);

public static class Disclosure
{
    /// <summary>
    /// Whether a cell may hold several employers' datapoints, which brings in the employer rules
    /// (SPEC §2): not when the cut filters one employer, nor when cells are per employer.
    /// </summary>
    public static bool SpansEmployers(int employersFiltered, bool groupedByEmployer) => employersFiltered != 1 && !groupedByEmployer;

    /// <summary>
    /// Why a cell must be suppressed; empty when it may be published. Employer rules apply only
    /// to a cell that spans several employers (no single-employer filter, not grouped by employer).
    /// </summary>
    public static IReadOnlyList<string> SuppressionReasonsFor(CellCounts counts, bool spansEmployers, DisclosureRules rules)
    {
        var reasons = new List<string>(3);
        if (counts.Datapoints < rules.MinDatapoints)
            reasons.Add(SuppressionReasons.TooFewDatapoints);
        if (spansEmployers)
        {
            if (counts.Employers < rules.MinEmployers)
                reasons.Add(SuppressionReasons.TooFewEmployers);
            // In decimal: 0.29 × 100 is 28.999… in binary floating point, which would call an employer
            // holding exactly 29% dominant.
            if (counts.Datapoints > 0 && counts.LargestEmployerDatapoints > (decimal)rules.MaxEmployerShare * counts.Datapoints)
                reasons.Add(SuppressionReasons.EmployerDominance);
        }
        return reasons;
    }

    /// <summary>
    /// A count of datapoints outside any cell (left out for want of an FX rate) as it may be
    /// published: null below the minimum a cell needs, as an exact small count would reveal what a
    /// suppressed cell hides.
    /// </summary>
    public static int? PublishedCount(int count, DisclosureRules rules) => count >= rules.MinDatapoints ? count : null;

    /// <summary>
    /// A published cell's counts per category (its datapoints by equity basis) as they may be
    /// published, in the order given: a count below the cell minimum is null, and when that leaves
    /// exactly one withheld the smallest other is withheld too, since the cell's n minus the others
    /// would give it (the complementary rule of statistical disclosure control).
    /// </summary>
    public static IReadOnlyList<(string Name, int? Count)> PublishedCounts(IReadOnlyList<(string Name, int Count)> counts, DisclosureRules rules)
    {
        var published = counts.Select(c => (c.Name, Count: PublishedCount(c.Count, rules))).ToList();
        if (published.Count(c => c.Count is null) == 1 && published.Count > 1)
        {
            var smallest = published.Select((c, i) => (c.Count, i)).Where(c => c.Count is not null).MinBy(c => c.Count!.Value).i;
            published[smallest] = (published[smallest].Name, null);
        }
        return published;
    }

    /// <summary>
    /// How many employers two peer groups differ by: those in one and not the other, both ways
    /// (the size of the symmetric difference). A group that adds or removes fewer than
    /// <see cref="DisclosureRules.MinPeerGroupDifference"/> employers from another would let the
    /// difference of their bands isolate those few employers' pay.
    /// </summary>
    public static int PeerGroupDifference(IReadOnlySet<int> group, IReadOnlySet<int> other) =>
        group.Count(e => !other.Contains(e)) + other.Count(e => !group.Contains(e));

    /// <summary>Whether percentile <paramref name="percentile"/> (1–99) may be published for a cell of <paramref name="datapoints"/>.</summary>
    public static bool MayPublishPercentile(int percentile, int datapoints, DisclosureRules rules)
    {
        if (percentile < 10 || percentile > 90)
            return datapoints >= rules.MinDatapointsInTails;
        if (percentile < 25 || percentile > 75)
            return datapoints >= rules.MinDatapointsOutsideQuartiles;
        return datapoints >= rules.MinDatapoints;
    }
}
