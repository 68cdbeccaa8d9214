namespace Comp.Statistics;

/// <summary>A cell's published figures: either suppressed with reasons, or its counts and percentiles.</summary>
public sealed record BandFigures(
    bool Suppressed,
    IReadOnlyList<string> Reasons,
    int? Datapoints,
    int? Employers,
    IReadOnlyDictionary<string, decimal?>? Percentiles)
{
    /// <summary>The 90% confidence interval of each published percentile (null for a suppressed cell).</summary>
    public IReadOnlyDictionary<string, Interval>? Ci { get; init; }
}

/// <summary>
/// A confidence interval; a bound is null when no order statistic can give it, or when it would
/// equal the cell's smallest or largest datapoint (that would publish a minimum or maximum).
/// </summary>
public sealed record Interval(decimal? Lower, decimal? Upper);

public static class Band
{
    /// <summary>
    /// Applies the disclosure rules to one cell and computes the percentiles it may publish.
    /// A percentile is null when the cell is too small for it, or when its value equals the cell's
    /// smallest or largest datapoint (that would publish a minimum or maximum).
    /// </summary>
    /// <param name="sorted">The cell's values in ascending order.</param>
    public static BandFigures Compute(
        ReadOnlySpan<double> sorted,
        CellCounts counts,
        bool spansEmployers,
        IReadOnlyList<int> percentiles,
        DisclosureRules rules)
    {
        if (counts.Datapoints != sorted.Length)
            throw new ArgumentException("The counts must describe the values given.", nameof(counts));

        var reasons = Disclosure.SuppressionReasonsFor(counts, spansEmployers, rules);
        if (reasons.Count > 0)
            return new BandFigures(true, reasons, null, null, null);

        // Values beyond decimal's range (an absurd FX rate times a long aging) cannot be published.
        if (!Percentiles.CanRound(sorted[0]) || !Percentiles.CanRound(sorted[^1]))
            return new BandFigures(false, [], counts.Datapoints, counts.Employers,
                percentiles.ToDictionary(p => Percentiles.Key(p), _ => (decimal?)null)) { Ci = new Dictionary<string, Interval>() };

        // Compared after rounding: a figure within half a cent of an extreme would publish it.
        var min = Percentiles.Round(sorted[0]);
        var max = Percentiles.Round(sorted[^1]);
        decimal? NotExtreme(decimal value) => value != min && value != max ? value : null;
        var published = new Dictionary<string, decimal?>(percentiles.Count);
        var intervals = new Dictionary<string, Interval>(percentiles.Count);
        foreach (var p in percentiles)
        {
            decimal? figure = null;
            if (Disclosure.MayPublishPercentile(p, sorted.Length, rules))
            {
                figure = NotExtreme(Percentiles.Round(Percentiles.Of(sorted, p)));
                if (figure is not null)
                {
                    var (lower, upper) = ConfidenceInterval.Ranks(sorted.Length, p / 100.0);
                    intervals[Percentiles.Key(p)] = new Interval(
                        lower is { } l ? NotExtreme(Percentiles.Round(sorted[l - 1])) : null,
                        upper is { } u ? NotExtreme(Percentiles.Round(sorted[u - 1])) : null);
                }
            }
            published[Percentiles.Key(p)] = figure;
        }
        return new BandFigures(false, [], counts.Datapoints, counts.Employers, published) { Ci = intervals };
    }
}
