using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Oracle: SPEC §4 (Position) by hand. Between neighbouring published grid points (p_i, v_i) and
// (p_j, v_j) the rank is p_i + (amount − v_i) / (v_j − v_i) · (p_j − p_i), rounded to one decimal,
// halves away from zero; an amount equal to a grid value ranks that percentile; outside the grid
// the nearest point's percentile with bound "below"/"above".
public class PositionTests
{
    // A published grid with some points withheld (p15, p20, p30…p45, …): 5 → 100, 10 → 110, 25 → 130,
    // 50 → 150, 75 → 180, 90 → 200, 95 → 210.
    private static readonly (int Percentile, decimal Value)[] Published =
        [(5, 100m), (10, 110m), (25, 130m), (50, 150m), (75, 180m), (90, 200m), (95, 210m)];

    [Fact]
    public void The_grid_is_every_fifth_percentile_from_5_to_95()
    {
        Assert.Equal([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95], Position.Grid);
    }

    [Theory]
    [InlineData(100, 5)]
    [InlineData(110, 10)]
    [InlineData(130, 25)]
    [InlineData(150, 50)]
    [InlineData(180, 75)]
    [InlineData(200, 90)]
    [InlineData(210, 95)]
    public void An_amount_equal_to_a_published_value_ranks_exactly_that_percentile(decimal amount, int percentile)
    {
        Assert.Equal(((decimal?)percentile, (string?)null), Position.Of(amount, Published));
    }

    [Theory]
    [InlineData(140, 37.5)]  // 25 + (140−130)/(150−130)·25 = 25 + 0.5·25
    [InlineData(165, 62.5)]  // 50 + (165−150)/(180−150)·25 = 50 + 0.5·25
    [InlineData(111, 10.8)]  // 10 + (111−110)/(130−110)·15 = 10.75 → 10.8 (half away from zero)
    [InlineData(160, 58.3)]  // 50 + 10/30·25 = 58.333… → 58.3
    [InlineData(105, 7.5)]   // 5 + 5/10·5
    [InlineData(190, 82.5)]  // 75 + 10/20·15
    [InlineData(209, 94.5)]  // 90 + 9/10·5
    public void Between_published_values_the_rank_interpolates_linearly(decimal amount, decimal rank)
    {
        Assert.Equal(((decimal?)rank, (string?)null), Position.Of(amount, Published));
    }

    [Fact]
    public void Below_the_lowest_published_value_gives_its_percentile_and_below()
    {
        // 99 < 100 = p5.
        Assert.Equal(((decimal?)5, (string?)Position.Below), Position.Of(99m, Published));
        Assert.Equal("below", Position.Below);
    }

    [Fact]
    public void Above_the_highest_published_value_gives_its_percentile_and_above()
    {
        // 211 > 210 = p95.
        Assert.Equal(((decimal?)95, (string?)Position.Above), Position.Of(211m, Published));
        Assert.Equal("above", Position.Above);
    }

    [Fact]
    public void An_empty_grid_gives_no_rank()
    {
        Assert.Equal(((decimal?)null, (string?)null), Position.Of(150m, []));
    }

    [Fact]
    public void A_grid_with_only_the_quartiles_interpolates_and_bounds_at_them()
    {
        // Only p25 = 130, p50 = 150, p75 = 180 published (small cell: the rest withheld).
        (int, decimal)[] quartiles = [(25, 130m), (50, 150m), (75, 180m)];

        Assert.Equal(((decimal?)37.5m, (string?)null), Position.Of(140m, quartiles));   // 25 + 10/20·25
        Assert.Equal(((decimal?)25, (string?)Position.Below), Position.Of(120m, quartiles));
        Assert.Equal(((decimal?)75, (string?)Position.Above), Position.Of(181m, quartiles));
        Assert.Equal(((decimal?)75, (string?)null), Position.Of(180m, quartiles));
    }

    [Fact]
    public void A_single_published_point_ranks_it_and_bounds_everything_else()
    {
        (int, decimal)[] median = [(50, 150m)];

        Assert.Equal(((decimal?)50, (string?)null), Position.Of(150m, median));
        Assert.Equal(((decimal?)50, (string?)Position.Below), Position.Of(149.99m, median));
        Assert.Equal(((decimal?)50, (string?)Position.Above), Position.Of(150.01m, median));
    }

    [Fact]
    public void Tied_neighbouring_values_rank_the_first_and_interpolate_from_the_last()
    {
        // p25 = p50 = 130, p75 = 180. 130 matches p25 first → 25 (no division by the zero gap);
        // 155 lies between p50 and p75: 50 + (155−130)/(180−130)·25 = 50 + 0.5·25 = 62.5.
        (int, decimal)[] ties = [(25, 130m), (50, 130m), (75, 180m)];

        Assert.Equal(((decimal?)25, (string?)null), Position.Of(130m, ties));
        Assert.Equal(((decimal?)62.5m, (string?)null), Position.Of(155m, ties));
        Assert.Equal(((decimal?)25, (string?)Position.Below), Position.Of(129m, ties));
    }

    [Fact]
    public void A_full_grid_of_nineteen_points_ranks_linearly_throughout()
    {
        // Value at percentile p is 1000 + 10·p (1050 … 1950): amount a ranks (a − 1000)/10 inside.
        var grid = Position.Grid.Select(p => (p, 1000m + 10 * p)).ToArray();

        Assert.Equal(((decimal?)23.4m, (string?)null), Position.Of(1234m, grid));
        Assert.Equal(((decimal?)50, (string?)null), Position.Of(1500m, grid));
        Assert.Equal(((decimal?)94.9m, (string?)null), Position.Of(1949m, grid));
        Assert.Equal(((decimal?)5, (string?)Position.Below), Position.Of(1049.99m, grid));
        Assert.Equal(((decimal?)95, (string?)Position.Above), Position.Of(1950.01m, grid));
    }

    [Fact]
    public void Ranks_are_rounded_to_one_decimal()
    {
        // 25 + (131.234 − 130)/20·25 = 25 + 1.5425 = 26.5425 → 26.5; 25 + 1.04/20·25 = 26.3.
        Assert.Equal(((decimal?)26.5m, (string?)null), Position.Of(131.234m, Published));
        Assert.Equal(((decimal?)26.3m, (string?)null), Position.Of(131.04m, Published));
    }

    [Fact]
    public void The_rank_never_decreases_as_the_amount_grows()
    {
        decimal? previous = null;
        for (var amount = 95m; amount <= 215m; amount += 0.5m)
        {
            var (rank, _) = Position.Of(amount, Published);
            Assert.NotNull(rank);
            Assert.True(previous is null || rank >= previous, $"rank fell from {previous} to {rank} at {amount}");
            previous = rank;
        }
    }
}
