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
        DisclosureRules rules) =>
        Figures(OrderStatistics.Sorted(sorted), counts, spansEmployers, percentiles, rules);

    /// <summary>
    /// <see cref="Compute"/> for values in any order, in linear time: the few order statistics the
    /// figures read are selected in place (<see cref="Selection.WriteRanks"/>) instead of sorting.
    /// The figures are identical to <see cref="Compute"/> on the sorted values.
    /// </summary>
    /// <param name="values">The cell's values; scratch afterwards (the ranks read are written in place, the rest is overwritten). Left untouched when the cell is suppressed.</param>
    public static BandFigures ComputeUnsorted(
        Span<double> values,
        CellCounts counts,
        bool spansEmployers,
        IReadOnlyList<int> percentiles,
        DisclosureRules rules) =>
        Figures(OrderStatistics.Unsorted(values), counts, spansEmployers, percentiles, rules);

    private static BandFigures Figures(
        OrderStatistics cell,
        CellCounts counts,
        bool spansEmployers,
        IReadOnlyList<int> percentiles,
        DisclosureRules rules)
    {
        var n = cell.Values.Length;
        if (counts.Datapoints != n)
            throw new ArgumentException("The counts must describe the values given.", nameof(counts));

        var reasons = Disclosure.SuppressionReasonsFor(counts, spansEmployers, rules);
        if (reasons.Count > 0)
            return new BandFigures(true, reasons, null, null, null);

        // The figures read the extremes, the two ranks each publishable percentile interpolates
        // between, and its interval's ranks: all selected in one pass (a second pass over a
        // million values would cost as much again as the first).
        var capacity = 2 + 4 * percentiles.Count;
        Span<int> ranks = capacity <= 256 ? stackalloc int[capacity] : new int[capacity];
        var intervalRanks = new Dictionary<int, (int? Lower, int? Upper)>(percentiles.Count);
        var count = 0;
        ranks[count++] = 0;
        ranks[count++] = n - 1;
        foreach (var p in percentiles)
        {
            if (Disclosure.MayPublishPercentile(p, n, rules))
            {
                var (below, above) = Percentiles.Type7Ranks(n, p / 100.0);
                ranks[count++] = below;
                ranks[count++] = above;
                var (lower, upper) = intervalRanks[p] = ConfidenceInterval.Ranks(n, p / 100.0);
                if (lower is { } l)
                    ranks[count++] = l - 1;
                if (upper is { } u)
                    ranks[count++] = u - 1;
            }
        }
        cell.Select(ranks[..count]);
        var sorted = cell.Values;

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
            if (Disclosure.MayPublishPercentile(p, n, rules))
            {
                figure = NotExtreme(Percentiles.Round(Percentiles.Of(sorted, p)));
                if (figure is not null)
                {
                    var (lower, upper) = intervalRanks[p];
                    intervals[Percentiles.Key(p)] = new Interval(
                        lower is { } l ? NotExtreme(Percentiles.Round(sorted[l - 1])) : null,
                        upper is { } u ? NotExtreme(Percentiles.Round(sorted[u - 1])) : null);
                }
            }
            published[Percentiles.Key(p)] = figure;
        }
        return new BandFigures(false, [], counts.Datapoints, counts.Employers, published) { Ci = intervals };
    }

    /// <summary>
    /// A cell's values, read only at ranks first asked for with <see cref="Select"/>: sorted values
    /// hold every order statistic already; unsorted ones get the ranks asked for written in place
    /// (<see cref="Selection.WriteRanks"/>: the cell's values are scratch afterwards).
    /// </summary>
    private readonly ref struct OrderStatistics
    {
        private readonly Span<double> _unsorted;
        private readonly bool _isSorted;

        private OrderStatistics(ReadOnlySpan<double> values, Span<double> unsorted, bool isSorted)
        {
            Values = values;
            _unsorted = unsorted;
            _isSorted = isSorted;
        }

        public static OrderStatistics Sorted(ReadOnlySpan<double> sorted) => new(sorted, [], isSorted: true);

        public static OrderStatistics Unsorted(Span<double> values) => new(values, values, isSorted: false);

        /// <summary>The values; correct at every rank once passed to <see cref="Select"/>.</summary>
        public ReadOnlySpan<double> Values { get; }

        public void Select(ReadOnlySpan<int> ranks)
        {
            if (!_isSorted)
                Selection.WriteRanks(_unsorted, ranks);
        }
    }
}
