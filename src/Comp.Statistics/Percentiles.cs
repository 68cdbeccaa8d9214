namespace Comp.Statistics;

/// <summary>
/// Hyndman–Fan type 7 percentiles: linear interpolation between closest ranks, the method of
/// PostgreSQL <c>percentile_cont</c>, numpy's default and Excel <c>PERCENTILE.INC</c>.
/// </summary>
public static class Percentiles
{
    /// <summary>The percentiles a band reports when the caller asks for none.</summary>
    public static readonly IReadOnlyList<int> Default = [10, 25, 50, 75, 90];

    /// <summary>
    /// The type-7 percentile of already sorted values, for a fraction in [0, 1].
    /// The arithmetic mirrors PostgreSQL's <c>percentile_cont</c> step for step
    /// (<c>lo + (hi - lo) * (f·(n−1) − floor)</c> in double precision), so both give the same bits.
    /// Only the two values at <see cref="Type7Ranks"/> are read: the rest need not be in order.
    /// </summary>
    public static double Type7(ReadOnlySpan<double> sorted, double fraction)
    {
        if (sorted.IsEmpty)
            throw new ArgumentException("A percentile of no values is undefined.", nameof(sorted));

        var (lower, upper, position) = Locate(sorted.Length, fraction);
        if (upper == lower)
            return sorted[lower];
        var lo = sorted[lower];
        var hi = sorted[upper];
        return lo + (hi - lo) * (position - lower);
    }

    /// <summary>
    /// The 0-based ranks of the two order statistics <see cref="Type7"/> interpolates between for
    /// <paramref name="fraction"/> of <paramref name="count"/> values (equal when it hits one exactly).
    /// </summary>
    public static (int Lower, int Upper) Type7Ranks(int count, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var (lower, upper, _) = Locate(count, fraction);
        return (lower, upper);
    }

    private static (int Lower, int Upper, double Position) Locate(int count, double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "A fraction lies in [0, 1].");
        var position = fraction * (count - 1);
        return ((int)Math.Floor(position), (int)Math.Ceiling(position), position);
    }

    /// <summary>The type-7 value of percentile <paramref name="percentile"/> (0–100) of sorted values.</summary>
    public static double Of(ReadOnlySpan<double> sorted, int percentile) => Type7(sorted, percentile / 100.0);

    /// <summary>
    /// Rounds a published figure to cents, halves away from zero (as PostgreSQL's <c>round</c>),
    /// always with two decimals so clients see 131000.00, not 131000.
    /// </summary>
    public static decimal Round(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero) + 0.00m;

    /// <summary>Whether a value fits <see cref="Round"/>: finite and well inside decimal's range.</summary>
    public static bool CanRound(double value) => double.IsFinite(value) && Math.Abs(value) < 1e27;

    /// <summary>The JSON/CSV key of a percentile: 50 → <c>p50</c>.</summary>
    public static string Key(int percentile) => $"p{percentile}";

    /// <summary>
    /// Parses a <c>percentiles=</c> list such as <c>10,25,50</c>: integers 1–99, duplicates removed,
    /// sorted ascending. Returns the error message instead when the text is not such a list.
    /// </summary>
    public static bool TryParseList(string? text, out IReadOnlyList<int> percentiles, out string? error)
    {
        percentiles = Default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;

        var parsed = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
                || p < 1 || p > 99)
            {
                error = $"'{part}' is not a percentile: give a comma-separated list of integers from 1 to 99, e.g. 10,25,50,75,90.";
                return false;
            }
            parsed.Add(p);
        }
        if (parsed.Count > 99)
        {
            error = "At most 99 percentiles can be asked for.";
            return false;
        }
        percentiles = [.. parsed];
        return true;
    }
}
