namespace Comp.Statistics;

/// <summary>How a cell's datapoints weigh in its percentiles (issue 18, <c>weighting=</c>).</summary>
public enum Weighting
{
    /// <summary>Every datapoint counts once: a big employer weighs by its headcount in the data.</summary>
    Incumbent,
    /// <summary>
    /// Every employer counts once: the percentiles are over the employers' type-7 medians of their
    /// values in the cell, so one large employer cannot set the market (survey providers publish
    /// both figures).
    /// </summary>
    Company,
}

public static class Weightings
{
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<Weighting>().Select(Name).ToArray();

    /// <summary>The wire name: <c>incumbent</c> or <c>company</c>.</summary>
    public static string Name(Weighting weighting) => weighting.ToString().ToLowerInvariant();

    /// <summary>Parses a wire name; absent means <see cref="Weighting.Incumbent"/>.</summary>
    public static bool TryParse(string? text, out Weighting weighting)
    {
        weighting = Weighting.Incumbent;
        if (string.IsNullOrEmpty(text))
            return true;
        foreach (var candidate in Enum.GetValues<Weighting>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.Ordinal))
            {
                weighting = candidate;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The disclosure rules a company-weighted cell is judged by: the datapoint thresholds apply to
    /// its count of employer medians, the employer minimum applies always (a cell of one employer is
    /// one median), and no employer can dominate, since each contributes exactly one value.
    /// </summary>
    public static DisclosureRules CompanyRules(DisclosureRules rules) => rules with { MaxEmployerShare = 1 };

    /// <summary>For methodology text.</summary>
    public static string Describe(Weighting weighting) => weighting == Weighting.Company
        ? "weighting: company (each employer with a datapoint in the cell contributes its type-7 median of its values there, and the percentiles " +
          "are type 7 over those medians; n and employers are the number of employers, the datapoint thresholds apply to it, " +
          "the employer minimum applies to every cell, the largest-share rule does not)"
        : "weighting: incumbent (every datapoint counts once)";

    /// <summary>
    /// The type-7 median of <paramref name="values"/>, in any order, in linear time: the one or two
    /// ranks it reads are selected in place (the span is scratch afterwards).
    /// </summary>
    public static double Median(Span<double> values)
    {
        var (lower, upper) = Percentiles.Type7Ranks(values.Length, 0.5);
        Span<int> ranks = [lower, upper];
        Selection.WriteRanks(values, lower == upper ? ranks[..1] : ranks);
        return Percentiles.Type7(values, 0.5);
    }

    /// <summary>
    /// Each employer's type-7 median of its values: <paramref name="values"/>[i] belongs to employer
    /// <paramref name="employers"/>[i] (codes from 0 below <paramref name="slots"/>.Length). Medians
    /// are written to <paramref name="medians"/> in the order employers first appear, and their
    /// count returned. Linear time: the values are scattered by employer (a counting sort) into
    /// <paramref name="grouped"/>, and each group's median selected. <paramref name="slots"/> must
    /// be all zero and is left so.
    /// </summary>
    public static int EmployerMedians(ReadOnlySpan<double> values, ReadOnlySpan<int> employers, Span<int> slots, Span<double> grouped, Span<int> order, Span<double> medians)
    {
        if (employers.Length != values.Length || grouped.Length < values.Length)
            throw new ArgumentException("Each value needs its employer, and room to be grouped.");
        var distinct = 0;
        foreach (var e in employers)
            if (slots[e]++ == 0)
                order[distinct++] = e;
        // Each employer's slot becomes the end of its group; scattering counts it back to the start.
        var end = 0;
        for (var i = 0; i < distinct; i++)
            slots[order[i]] = end += slots[order[i]];
        for (var i = values.Length - 1; i >= 0; i--)
            grouped[--slots[employers[i]]] = values[i];
        for (var i = 0; i < distinct; i++)
        {
            var start = slots[order[i]];
            var stop = i + 1 < distinct ? slots[order[i + 1]] : values.Length;
            medians[i] = Median(grouped[start..stop]);
        }
        for (var i = 0; i < distinct; i++)
            slots[order[i]] = 0;
        return distinct;
    }
}
