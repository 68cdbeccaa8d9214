using System.Globalization;
using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Band.ComputeUnsorted must give exactly what Band.Compute gives on the sorted values: the same
// suppression and reasons, the same keys in the same order, the same decimals (with their scale)
// and the same nulls, intervals included. The hand-checked examples repeat BandTests' numbers on
// shuffled input.
public class BandUnsortedTests
{
    private static readonly DisclosureRules Rules = DisclosureRules.Default;

    /// <summary>Every published figure as text, so that 150000.00 and 150000 would differ.</summary>
    private static string Describe(BandFigures figures)
    {
        static string Figure(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "null";
        var parts = new List<string>
        {
            $"suppressed={figures.Suppressed}",
            $"reasons={string.Join(",", figures.Reasons)}",
            $"datapoints={figures.Datapoints?.ToString(CultureInfo.InvariantCulture) ?? "null"}",
            $"employers={figures.Employers?.ToString(CultureInfo.InvariantCulture) ?? "null"}",
        };
        parts.Add(figures.Percentiles is null ? "percentiles=null"
            : string.Join(" ", figures.Percentiles.Select(kv => $"{kv.Key}={Figure(kv.Value)}")));
        parts.Add(figures.Ci is null ? "ci=null"
            : string.Join(" ", figures.Ci.Select(kv => $"{kv.Key}=[{Figure(kv.Value.Lower)},{Figure(kv.Value.Upper)}]")));
        return string.Join("; ", parts);
    }

    private static void AssertSameAsSorted(double[] values, CellCounts counts, bool spansEmployers, IReadOnlyList<int> percentiles)
    {
        var sorted = values.Order().ToArray();
        var expected = Band.Compute(sorted, counts, spansEmployers, percentiles, Rules);

        var actual = Band.ComputeUnsorted(values.ToArray(), counts, spansEmployers, percentiles, Rules);

        Assert.Equal(Describe(expected), Describe(actual));
    }

    private static double[] Shuffled(Random random, IEnumerable<double> values)
    {
        var array = values.ToArray();
        random.Shuffle(array);
        return array;
    }

    [Fact]
    public void A_shuffled_cell_of_ten_gives_the_deciles_and_quartiles_but_not_the_tails()
    {
        // [10, 20, …, 100] shuffled, 5 employers holding 2 each: p5 → null (needs 20); p10: h=0.9 → 19;
        // p25: h=2.25 → 32.5; p50: h=4.5 → 55; p75: h=6.75 → 77.5; p90: h=8.1 → 91; p95 → null.
        double[] values = [70, 10, 100, 40, 90, 20, 60, 30, 80, 50];

        var band = Band.ComputeUnsorted(values, new CellCounts(10, 5, 2), true, [5, 10, 25, 50, 75, 90, 95], Rules);

        Assert.False(band.Suppressed);
        Assert.Equal(
            new Dictionary<string, decimal?> { ["p5"] = null, ["p10"] = 19.00m, ["p25"] = 32.50m, ["p50"] = 55.00m, ["p75"] = 77.50m, ["p90"] = 91.00m, ["p95"] = null },
            band.Percentiles);
        Assert.Equal("32.50", band.Percentiles!["p25"]!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_shuffled_cell_of_twenty_gives_the_median_and_its_interval()
    {
        // 100, 200, …, 2000 in reverse: p50: h = 9.5 → 1050. Bin(20, 0.5): F(5) = 0.0207, F(6) = 0.0577
        // → l = 6 → x(6) = 600; F(13) = 0.9423, F(14) = 0.9793 → u = 15 → x(15) = 1500.
        var values = Enumerable.Range(1, 20).Select(i => 100.0 * (21 - i)).ToArray();

        var band = Band.ComputeUnsorted(values, new CellCounts(20, 1, 20), false, [50], Rules);

        Assert.Equal(1050.00m, band.Percentiles!["p50"]);
        Assert.Equal(new Interval(600.00m, 1500.00m), band.Ci!["p50"]);
    }

    [Fact]
    public void A_cell_mostly_of_one_salary_publishes_it_with_its_interval()
    {
        // Sorted: [120000, 150000 × 8, 180000], one employer. p10: h = 0.9 → 120000 + 0.9·30000 = 147000;
        // Bin(10, 0.1): F(0) = 0.3487 > 0.05 → no lower; F(2) = 0.9298, F(3) = 0.9872 → u = 4 → 150000.
        // p50: h = 4.5 → 150000; Bin(10, 0.5) ranks (2, 9) → x(2) = x(9) = 150000.
        double[] values = [150_000, 150_000, 180_000, 150_000, 150_000, 150_000, 120_000, 150_000, 150_000, 150_000];

        var band = Band.ComputeUnsorted(values, new CellCounts(10, 1, 10), false, [10, 50], Rules);

        Assert.Equal(147_000.00m, band.Percentiles!["p10"]);
        Assert.Equal(150_000.00m, band.Percentiles["p50"]);
        Assert.Equal(new Interval(null, 150_000.00m), band.Ci!["p10"]);
        Assert.Equal(new Interval(150_000.00m, 150_000.00m), band.Ci["p50"]);
    }

    [Fact]
    public void A_suppressed_cell_leaves_its_values_as_they_were()
    {
        // 4 datapoints: too few. Nothing is selected, so nothing moves.
        double[] values = [4, 1, 3, 2];

        var band = Band.ComputeUnsorted(values, new CellCounts(4, 1, 4), false, [50], Rules);

        Assert.True(band.Suppressed);
        Assert.Equal([SuppressionReasons.TooFewDatapoints], band.Reasons);
        Assert.Equal([4, 1, 3, 2], values);
    }

    [Fact]
    public void Counts_that_do_not_match_the_values_throw()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Band.ComputeUnsorted(new double[10], new CellCounts(9, 5, 2), true, [50], Rules));
        Assert.Equal("counts", ex.ParamName);
    }

    [Fact]
    public void Values_beyond_decimal_range_give_null_figures_as_for_sorted_values()
    {
        // One value of 1e30 among 29 ordinary ones: the extremes cannot be rounded, every figure is null.
        var values = Enumerable.Range(1, 29).Select(i => 1000.0 * i).Append(1e30).Reverse().ToArray();

        AssertSameAsSorted(values, new CellCounts(30, 1, 30), false, [10, 50, 90]);
        var band = Band.ComputeUnsorted(values, new CellCounts(30, 1, 30), false, [10, 50, 90], Rules);
        Assert.All(band.Percentiles!.Values, Assert.Null);
        Assert.Empty(band.Ci!);
    }

    [Fact]
    public void Thousands_of_random_small_cells_give_the_figures_of_their_sorted_values()
    {
        // 6,000 cells of 1–60 datapoints (seed 42): salary-like values rounded to cents or to
        // thousands (many ties), some of one value; random percentile lists from 1..99 (some with
        // repeats, in any order); employer counts consistent with n, across employers or not.
        var random = new Random(42);
        for (var cell = 0; cell < 6_000; cell++)
            AssertRandomCell(random, 1 + random.Next(60));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(200_000)]
    public void Large_random_cells_give_the_figures_of_their_sorted_values(int n)
    {
        var random = new Random(n);
        for (var cell = 0; cell < 10; cell++)
            AssertRandomCell(random, n);
    }

    private static void AssertRandomCell(Random random, int n)
    {
        var values = random.Next(4) switch
        {
            0 => Enumerable.Range(0, n).Select(_ => Math.Round(40_000 + random.NextDouble() * 200_000, 2)),
            1 => Enumerable.Range(0, n).Select(_ => 1000.0 * random.Next(80, 160)),
            2 => Enumerable.Range(0, n).Select(_ => random.Next(4) == 0 ? 1000.0 * random.Next(100, 200) : 150_000.00),
            _ => Enumerable.Repeat(150_000.00, n),
        };
        var employers = 1 + random.Next(n);
        var largest = (n + employers - 1) / employers + random.Next(n - employers + 1 - (n + employers - 1) / employers + 1);
        var percentiles = random.Next(5) == 0
            ? Enumerable.Range(0, 1 + random.Next(10)).Select(_ => 1 + random.Next(99)).ToArray()
            : Enumerable.Range(1, 99).Where(_ => random.Next(3) == 0).DefaultIfEmpty(50).ToArray();

        AssertSameAsSorted(Shuffled(random, values), new CellCounts(n, employers, largest), random.Next(2) == 0, percentiles);
    }
}
