namespace Comp.Statistics;

/// <summary>
/// Where an amount falls in a published cell: its rank is read off the cell's own published
/// percentile grid (5, 10, …, 95) by linear interpolation between neighbouring grid points, so an
/// amount equal to the published p50 ranks 50. Outside the grid the nearest grid point's rank is
/// given with a bound. Ranks between datapoints are never computed, so repeated positions cannot
/// reveal individual values.
/// </summary>
public static class Position
{
    public static readonly IReadOnlyList<int> Grid = Enumerable.Range(1, 19).Select(i => i * 5).ToArray();

    public const string Below = "below";
    public const string Above = "above";

    /// <param name="amount">The amount to place, in the cell's currency.</param>
    /// <param name="published">The published grid points, ascending by percentile (withheld points left out).</param>
    /// <returns>The rank (rounded to one decimal) and <c>below</c>/<c>above</c> outside the grid, else null; null rank for an empty grid.</returns>
    public static (decimal? Rank, string? Bound) Of(decimal amount, IReadOnlyList<(int Percentile, decimal Value)> published)
    {
        if (published.Count == 0)
            return (null, null);
        if (amount < published[0].Value)
            return (published[0].Percentile, Below);
        if (amount > published[^1].Value)
            return (published[^1].Percentile, Above);
        for (var i = 0; i < published.Count; i++)
        {
            var (p, value) = published[i];
            if (amount == value)
                return (p, null);
            if (i + 1 < published.Count && amount < published[i + 1].Value)
            {
                var (nextP, nextValue) = published[i + 1];
                var rank = p + (amount - value) / (nextValue - value) * (nextP - p);
                return (Math.Round(rank, 1, MidpointRounding.AwayFromZero), null);
            }
        }
        return (published[^1].Percentile, null);
    }
}
