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
}
