using System.Globalization;
using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Percentile values: type 7 by hand (h = (n-1)p), cross-checked with Python
// statistics.quantiles(method="inclusive"); disclosure outcomes by hand from SPEC §2.
public class BandTests
{
    private static readonly DisclosureRules Rules = DisclosureRules.Default;

    private static BandFigures Compute(double[] sorted, CellCounts counts, bool spansEmployers, params int[] percentiles) =>
        Band.Compute(sorted, counts, spansEmployers, percentiles, Rules);

    [Fact]
    public void A_suppressed_cell_gives_its_reasons_and_no_figures()
    {
        // 4 datapoints from 4 employers across employers: too few datapoints and too few employers.
        var band = Compute([1, 2, 3, 4], new CellCounts(4, 4, 1), spansEmployers: true, 10, 25, 50, 75, 90);

        Assert.True(band.Suppressed);
        Assert.Equal([SuppressionReasons.TooFewDatapoints, SuppressionReasons.TooFewEmployers], band.Reasons);
        Assert.Null(band.Datapoints);
        Assert.Null(band.Employers);
        Assert.Null(band.Percentiles);
    }

    [Fact]
    public void A_dominated_cell_is_suppressed_however_large()
    {
        // 20 datapoints, 5 employers, one holding 6 (30%).
        var values = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        var band = Compute(values, new CellCounts(20, 5, 6), spansEmployers: true, 50);

        Assert.True(band.Suppressed);
        Assert.Equal([SuppressionReasons.EmployerDominance], band.Reasons);
        Assert.Null(band.Percentiles);
    }

    [Fact]
    public void A_published_cell_of_ten_gives_the_deciles_and_quartiles_but_not_the_tails()
    {
        // [10, 20, …, 100], 5 employers holding 2 each (20%):
        // p5 → null (needs 20); p10: h=0.9 → 19; p25: h=2.25 → 32.5; p50: h=4.5 → 55;
        // p75: h=6.75 → 77.5; p90: h=8.1 → 91; p95 → null (needs 20).
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 5, 10, 25, 50, 75, 90, 95);

        Assert.False(band.Suppressed);
        Assert.Empty(band.Reasons);
        Assert.Equal(10, band.Datapoints);
        Assert.Equal(5, band.Employers);
        var p = band.Percentiles!;
        Assert.Equal(7, p.Count);
        Assert.Null(p["p5"]);
        Assert.Equal(19.00m, p["p10"]);
        Assert.Equal(32.50m, p["p25"]);
        Assert.Equal(55.00m, p["p50"]);
        Assert.Equal(77.50m, p["p75"]);
        Assert.Equal(91.00m, p["p90"]);
        Assert.Null(p["p95"]);
    }

    [Fact]
    public void Published_percentiles_carry_two_decimals()
    {
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 50, 90);

        Assert.Equal("55.00", band.Percentiles!["p50"]!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("91.00", band.Percentiles!["p90"]!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_cell_of_twenty_publishes_its_tails()
    {
        // 1..20 within one employer: p5: h=0.95 → 1.95; p95: h=18.05 → 19.05; p1: h=0.19 → 1.19.
        var values = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        var band = Compute(values, new CellCounts(20, 1, 20), spansEmployers: false, 1, 5, 95);

        Assert.False(band.Suppressed);
        Assert.Equal(1.19m, band.Percentiles!["p1"]);
        Assert.Equal(1.95m, band.Percentiles!["p5"]);
        Assert.Equal(19.05m, band.Percentiles!["p95"]);
    }

    [Fact]
    public void A_single_employer_cell_of_five_publishes_its_quartiles_only()
    {
        // [1..5], one employer, not spanning employers: p25 = 2, p50 = 3, p75 = 4; p10/p90 need 10.
        var band = Compute([1, 2, 3, 4, 5], new CellCounts(5, 1, 5), spansEmployers: false, 10, 25, 50, 75, 90);

        Assert.False(band.Suppressed);
        Assert.Equal(5, band.Datapoints);
        Assert.Equal(1, band.Employers);
        Assert.Null(band.Percentiles!["p10"]);
        Assert.Equal(2m, band.Percentiles!["p25"]);
        Assert.Equal(3m, band.Percentiles!["p50"]);
        Assert.Equal(4m, band.Percentiles!["p75"]);
        Assert.Null(band.Percentiles!["p90"]);
    }

    [Fact]
    public void A_percentile_equal_to_the_minimum_is_withheld()
    {
        // Six ties at the minimum 100: p10 (h=0.9), p25 (h=2.25) and p50 (h=4.5) are all 100 = min → null;
        // p75: h=6.75 → 200 + 0.75·100 = 275; p90: h=8.1 → 400 + 0.1·100 = 410.
        double[] values = [100, 100, 100, 100, 100, 100, 200, 300, 400, 500];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 10, 25, 50, 75, 90);

        Assert.False(band.Suppressed);
        Assert.Null(band.Percentiles!["p10"]);
        Assert.Null(band.Percentiles!["p25"]);
        Assert.Null(band.Percentiles!["p50"]);
        Assert.Equal(275m, band.Percentiles!["p75"]);
        Assert.Equal(410m, band.Percentiles!["p90"]);
    }

    [Fact]
    public void A_percentile_within_half_a_cent_of_the_minimum_is_withheld()
    {
        // Ten values, the lowest three within a cent of each other: p25 (h = 2.25) is 100.0045,
        // which rounds to 100.00, the rounded minimum; publishing it would publish the minimum.
        double[] sorted = [100.0, 100.002, 100.004, 100.006, 200, 300, 400, 500, 600, 700];
        var figures = Compute(sorted, new CellCounts(10, 1, 10), false, 25, 50);
        Assert.Null(figures.Percentiles!["p25"]);
        Assert.Equal(250.00m, figures.Percentiles["p50"]);
    }

    [Fact]
    public void A_percentile_equal_to_the_maximum_is_withheld()
    {
        // Six ties at the maximum 500: p10: h=0.9 → 100 + 0.9·100 = 190; p25: h=2.25 → 300 + 0.25·100 = 325;
        // p50 (h=4.5), p75 (h=6.75), p90 (h=8.1) are all 500 = max → null.
        double[] values = [100, 200, 300, 400, 500, 500, 500, 500, 500, 500];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 10, 25, 50, 75, 90);

        Assert.Equal(190m, band.Percentiles!["p10"]);
        Assert.Equal(325m, band.Percentiles!["p25"]);
        Assert.Null(band.Percentiles!["p50"]);
        Assert.Null(band.Percentiles!["p75"]);
        Assert.Null(band.Percentiles!["p90"]);
    }

    [Fact]
    public void A_cell_of_identical_values_publishes_no_percentile()
    {
        // Every percentile equals both the minimum and the maximum.
        double[] values = [7, 7, 7, 7, 7];
        var band = Compute(values, new CellCounts(5, 1, 5), spansEmployers: false, 25, 50, 75);

        Assert.False(band.Suppressed);
        Assert.Equal(5, band.Datapoints);
        Assert.All(band.Percentiles!.Values, Assert.Null);
        Assert.Equal(3, band.Percentiles!.Count);
    }

    [Fact]
    public void Percentile_keys_are_p_and_the_number_in_the_order_asked()
    {
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 10, 25, 50, 75, 90);

        Assert.Equal(["p10", "p25", "p50", "p75", "p90"], band.Percentiles!.Keys);
    }

    [Fact]
    public void No_percentiles_asked_gives_an_empty_set_for_a_published_cell()
    {
        var band = Compute([1, 2, 3, 4, 5], new CellCounts(5, 1, 5), spansEmployers: false);

        Assert.False(band.Suppressed);
        Assert.NotNull(band.Percentiles);
        Assert.Empty(band.Percentiles);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(11)]
    public void Counts_that_do_not_match_the_values_throw(int datapoints)
    {
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var ex = Assert.Throws<ArgumentException>(() => Compute(values, new CellCounts(datapoints, 5, 2), spansEmployers: true, 50));
        Assert.Equal("counts", ex.ParamName);
    }

    [Fact]
    public void Custom_rules_change_which_percentiles_are_published()
    {
        // Tails allowed from 10 datapoints: p5 of [10..100] = h=0.45 → 10 + 0.45·10 = 14.5.
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var rules = new DisclosureRules { MinDatapointsInTails = 10 };
        var band = Band.Compute(values, new CellCounts(10, 5, 2), true, [5], rules);

        Assert.Equal(14.5m, band.Percentiles!["p5"]);
    }

    // Confidence intervals (Ci). Ranks from ConfidenceInterval.Ranks at level 0.90, worked out by hand
    // from the binomial CDF F(k) = P(B <= k), B ~ Bin(n, p) (values checked with Python fractions):
    // lower = largest l with F(l−1) <= 0.05, upper = smallest u with F(u−1) >= 0.95; a bound is the
    // order statistic x(rank) rounded to cents, null when the rank is null or x(rank) equals the
    // cell's minimum or maximum.

    private static readonly double[] Hundreds = Enumerable.Range(1, 20).Select(i => 100.0 * i).ToArray(); // 100, 200, …, 2000

    [Fact]
    public void The_median_interval_is_bounded_by_the_order_statistics_at_its_binomial_ranks()
    {
        // n = 20, p = 0.5: F(5) = 0.0207 <= 0.05, F(6) = 0.0577 > 0.05 → l = 6 → x(6) = 600;
        // F(13) = 0.9423 < 0.95, F(14) = 0.9793 >= 0.95 → u = 15 → x(15) = 1500. (p50: h = 9.5 → 1050.)
        var band = Compute(Hundreds, new CellCounts(20, 1, 20), spansEmployers: false, 50);

        Assert.Equal(1050m, band.Percentiles!["p50"]);
        Assert.NotNull(band.Ci);
        Assert.Equal(new Interval(600m, 1500m), band.Ci!["p50"]);
        Assert.Equal("600.00", band.Ci["p50"].Lower!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("1500.00", band.Ci["p50"].Upper!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Interval_bounds_are_rounded_to_cents()
    {
        // Same ranks (6, 15) on 100.004, 200.004, …: x(6) = 600.004 → 600.00, x(15) = 1500.006 → 1500.01.
        var values = Hundreds.ToArray();
        values[5] = 600.004;
        values[14] = 1500.006;
        var band = Compute(values, new CellCounts(20, 1, 20), spansEmployers: false, 50);

        Assert.Equal(new Interval(600.00m, 1500.01m), band.Ci!["p50"]);
        Assert.Equal("1500.01", band.Ci["p50"].Upper!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void P10_of_twenty_has_no_lower_bound()
    {
        // n = 20, p = 0.1: F(0) = 0.9^20 = 0.1216 > 0.05 → no lower rank → Lower null;
        // F(3) = 0.8670, F(4) = 0.9568 → u = 5 → x(5) = 500. (p10: h = 1.9 → 290.)
        var band = Compute(Hundreds, new CellCounts(20, 1, 20), spansEmployers: false, 10);

        Assert.Equal(290m, band.Percentiles!["p10"]);
        Assert.Equal(new Interval(null, 500m), band.Ci!["p10"]);
    }

    [Fact]
    public void P90_of_twenty_has_no_upper_bound()
    {
        // n = 20, p = 0.9: F(15) = 0.0432, F(16) = 0.1330 → l = 16 → x(16) = 1600;
        // F(19) = 1 − 0.9^20 = 0.8784 < 0.95 → no upper rank → Upper null. (p90: h = 17.1 → 1810.)
        var band = Compute(Hundreds, new CellCounts(20, 1, 20), spansEmployers: false, 90);

        Assert.Equal(1810m, band.Percentiles!["p90"]);
        Assert.Equal(new Interval(1600m, null), band.Ci!["p90"]);
    }

    [Fact]
    public void An_upper_bound_at_the_largest_datapoint_is_withheld()
    {
        // [100, 200, …, 1000], p70 (h = 6.3 → 730). Bin(10, 0.7): F(3) = 0.0106, F(4) = 0.0473,
        // F(5) = 0.1503 → l = 5 → x(5) = 500; F(8) = 0.8507 < 0.95, F(9) = 0.9718 >= 0.95 → u = 10 →
        // x(10) = 1000 = the maximum → null.
        double[] values = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
        Assert.Equal(((int?)5, (int?)10), ConfidenceInterval.Ranks(10, 0.7));

        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 70);

        Assert.Equal(730m, band.Percentiles!["p70"]);
        Assert.Equal(new Interval(500m, null), band.Ci!["p70"]);
    }

    [Fact]
    public void Both_bounds_of_the_median_of_five_are_withheld_as_minimum_and_maximum()
    {
        // [1..5]: Bin(5, 0.5): F(0) = 1/32 = 0.031 <= 0.05, F(1) = 6/32 = 0.19 → l = 1 = minimum;
        // F(3) = 26/32 = 0.81, F(4) = 31/32 = 0.97 → u = 5 = maximum. Both null; p50 = 3 is published.
        var band = Compute([1, 2, 3, 4, 5], new CellCounts(5, 1, 5), spansEmployers: false, 50);

        Assert.Equal(3m, band.Percentiles!["p50"]);
        Assert.Equal(new Interval(null, null), band.Ci!["p50"]);
    }

    [Fact]
    public void A_lower_bound_tied_with_the_minimum_is_withheld()
    {
        // Six values of 100, then 700, 800, …, 2000 (n = 20). p50: h = 9.5 → 1000 + 0.5·100 = 1050.
        // Ranks (6, 15): x(6) = 100 = the minimum → null; x(15) = 1500.
        var values = Hundreds.ToArray();
        for (var i = 0; i < 6; i++)
            values[i] = 100;
        var band = Compute(values, new CellCounts(20, 1, 20), spansEmployers: false, 50);

        Assert.Equal(1050m, band.Percentiles!["p50"]);
        Assert.Equal(new Interval(null, 1500m), band.Ci!["p50"]);
    }

    [Fact]
    public void A_suppressed_cell_has_no_intervals()
    {
        // 4 datapoints: too_few_datapoints.
        var band = Compute([1, 2, 3, 4], new CellCounts(4, 4, 1), spansEmployers: true, 50);

        Assert.True(band.Suppressed);
        Assert.Null(band.Ci);
    }

    [Fact]
    public void A_withheld_percentile_has_no_interval()
    {
        // [10..100] (n = 10): p5 needs 20 datapoints → null, no Ci entry; p50 = 55 → Ci entry.
        // Bin(10, .5) ranks (2, 9) → x(2) = 20, x(9) = 90.
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 5, 50);

        Assert.Null(band.Percentiles!["p5"]);
        Assert.False(band.Ci!.ContainsKey("p5"));
        Assert.Equal(new Interval(20m, 90m), band.Ci["p50"]);
        Assert.Equal(["p50"], band.Ci.Keys);
    }

    [Fact]
    public void A_percentile_withheld_as_the_minimum_has_no_interval()
    {
        // Six ties at 100 (as above): p10, p25, p50 equal the minimum → null, no Ci entries;
        // p75: h = 6.75 → 275, Bin(10, .75) ranks (5, null) → x(5) = 100 = minimum → (null, null).
        double[] values = [100, 100, 100, 100, 100, 100, 200, 300, 400, 500];
        var band = Compute(values, new CellCounts(10, 5, 2), spansEmployers: true, 10, 25, 50, 75);

        Assert.Equal(["p75"], band.Ci!.Keys);
        Assert.Equal(new Interval(null, null), band.Ci["p75"]);
    }

    [Fact]
    public void Every_published_percentile_has_an_interval_containing_it()
    {
        // [100..2000], the default percentiles: each published figure lies within its bounds.
        var band = Compute(Hundreds, new CellCounts(20, 1, 20), spansEmployers: false, 10, 25, 50, 75, 90);

        var percentiles = band.Percentiles!;
        Assert.Equal(percentiles.Where(kv => kv.Value is not null).Select(kv => kv.Key), band.Ci!.Keys);
        foreach (var (key, interval) in band.Ci)
        {
            var figure = percentiles[key]!.Value;
            Assert.True(interval.Lower is null || interval.Lower <= figure, $"{key}: lower {interval.Lower} above {figure}");
            Assert.True(interval.Upper is null || interval.Upper >= figure, $"{key}: upper {interval.Upper} below {figure}");
        }
    }
}
