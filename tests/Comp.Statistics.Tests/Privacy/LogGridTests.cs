using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

// Oracle for the edges: Python's decimal at 28 digits, x *= ratio from Lower until x >= Upper,
// each edge x rounded to cents half up:
//   ratio 1.15: 83 bins, 1000, 1150.00, 1322.50, 1520.88, 1749.01, …, 94890538.01, 109124118.71
//   ratio 1.10: 121 bins, 1000, 1100.00, 1210.00, 1331.00, …, 92709068.82, 101979975.70
public class LogGridTests
{
    [Fact]
    public void The_default_grid_has_83_bins_of_15_percent()
    {
        var grid = LogGrid.Default;
        Assert.Equal((1_000m, 100_000_000m, 1.15m), (grid.Lower, grid.Upper, grid.Ratio));
        Assert.Equal(83, grid.Count);
        Assert.Equal(84, grid.Edges.Length);
        Assert.Equal([1000, 1150, 1322.50, 1520.88, 1749.01], grid.Edges[..5].ToArray());
        Assert.Equal([94890538.01, 109124118.71], grid.Edges[^2..].ToArray());
    }

    [Fact]
    public void A_ten_percent_grid_has_121_bins()
    {
        var grid = new LogGrid(1_000m, 100_000_000m, 1.10m);
        Assert.Equal(121, grid.Count);
        Assert.Equal([1000, 1100, 1210, 1331], grid.Edges[..4].ToArray());
        Assert.Equal([92709068.82, 101979975.70], grid.Edges[^2..].ToArray());
    }

    [Fact]
    public void Log_edges_are_the_edges_logarithms()
    {
        var grid = LogGrid.Default;
        for (var i = 0; i < grid.Edges.Length; i++)
            Assert.Equal(Math.Log(grid.Edges[i]), grid.LogEdges[i]);
    }

    [Theory]
    [InlineData(1150.0, 1)]            // an edge opens its bin
    [InlineData(1149.99, 0)]
    [InlineData(1322.5, 2)]
    [InlineData(150_000.0, 35)]        // 1.15^35 = 133,175.5 ≤ 150,000 < 1.15^36 = 153,151.8
    [InlineData(999.0, 0)]             // below Lower: the first bin
    [InlineData(0.0, 0)]
    [InlineData(-5.0, 0)]
    [InlineData(94_890_538.01, 82)]    // the last bin's lower edge
    [InlineData(100_000_000.0, 82)]
    [InlineData(5e9, 82)]              // above Upper: the last bin
    [InlineData(double.PositiveInfinity, 82)]
    [InlineData(double.NegativeInfinity, 0)]
    public void Values_fall_in_their_bins(double value, int bin)
    {
        Assert.Equal(bin, LogGrid.Default.Bin(value));
    }

    [Fact]
    public void Every_edge_opens_its_bin_and_the_value_just_below_closes_the_previous_one()
    {
        foreach (var grid in new[] { LogGrid.Default, new LogGrid(1_000m, 100_000_000m, 1.10m), new LogGrid(1m, 50m, 1.01m) })
        {
            for (var i = 1; i < grid.Count; i++)
            {
                Assert.Equal(i, grid.Bin(grid.Edges[i]));
                Assert.Equal(i - 1, grid.Bin(Math.BitDecrement(grid.Edges[i])));
            }
        }
    }

    [Fact]
    public void The_lookup_agrees_with_a_binary_search_over_the_edges()
    {
        var random = new Random(20261127);
        foreach (var grid in new[] { LogGrid.Default, new LogGrid(1_000m, 100_000_000m, 1.10m), new LogGrid(1m, 50m, 1.01m), new LogGrid(500m, 2_000_000m, 3m) })
        {
            var low = Math.Log(grid.Edges[0] / 2);
            var high = Math.Log(grid.Edges[^1] * 2);
            for (var i = 0; i < 200_000; i++)
            {
                var value = Math.Exp(low + (high - low) * random.NextDouble());
                Assert.Equal(Reference(grid, value), grid.Bin(value));
            }
        }
    }

    // The first bin holds everything below Edges[1]; the last everything from Edges[^2] on.
    private static int Reference(LogGrid grid, double value)
    {
        var bin = 0;
        while (bin < grid.Count - 1 && value >= grid.Edges[bin + 1])
            bin++;
        return bin;
    }

    [Fact]
    public void NaN_has_no_bin()
    {
        Assert.Throws<ArgumentException>(() => LogGrid.Default.Bin(double.NaN));
    }

    [Fact]
    public void The_centre_is_the_geometric_mean_of_the_edges()
    {
        Assert.Equal(Math.Sqrt(1000.0 * 1150), LogGrid.Default.Centre(0), 1e-9);
        Assert.Equal(Math.Sqrt(1322.5 * 1520.88), LogGrid.Default.Centre(2), 1e-9);
    }

    [Fact]
    public void The_histogram_counts_each_value_once()
    {
        var counts = LogGrid.Default.Histogram([10.0, 1000, 1149.99, 1150, 150_000, 150_001, 1e12]);
        Assert.Equal(83, counts.Length);
        Assert.Equal(3, counts[0]);
        Assert.Equal(1, counts[1]);
        Assert.Equal(2, counts[35]);
        Assert.Equal(1, counts[82]);
        Assert.Equal(7, counts.Sum());
    }

    [Fact]
    public void The_description_names_the_bins()
    {
        Assert.Equal(
            "83 log-scale bins, each edge 1.15 times the one before, from 1000 to 109124118.71 (values outside go to the end bins)",
            LogGrid.Default.Describe());
    }

    [Theory]
    [InlineData(0.5, 10, 1.1)]
    [InlineData(100, 100, 1.1)]
    [InlineData(100, 1000, 1.0001)]
    [InlineData(100, 1000, 11)]
    public void Bad_parameters_are_refused(double lower, double upper, double ratio)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogGrid((decimal)lower, (decimal)upper, (decimal)ratio));
    }

    [Fact]
    public void Edges_less_than_a_cent_apart_are_refused()
    {
        // 1 × 1.001 = 1.001 rounds to the first edge, 1.00.
        var ex = Assert.Throws<ArgumentException>(() => new LogGrid(1m, 10m, 1.001m));
        Assert.Contains("less than a cent apart", ex.Message);
    }

    [Theory]
    [InlineData(1.10, 0.1049)]
    [InlineData(1.15, 0.0716)]
    [InlineData(1.20, 0.0548)]
    public void A_value_pinned_to_its_bin_is_within_half_a_percent_of_the_centre_rarely(double ratio, double expected)
    {
        // The attacker of issue 14 who learns a target's exact bin and guesses its centre. Targets
        // spread over a log-normal (median 150k, σ = 0.3 and 0.6) are close to evenly spread in log
        // within one bin, so the hit rate is ln(1.005/0.995)/ln r: it must stay well below 1 in 5.
        var grid = new LogGrid(1_000m, 100_000_000m, (decimal)ratio);
        var random = new Random(14);
        const int targets = 200_000;
        var hits = 0;
        for (var i = 0; i < targets; i++)
        {
            var sigma = i % 2 == 0 ? 0.3 : 0.6;
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var value = 150_000 * Math.Exp(sigma * z);
            if (Math.Abs(grid.Centre(grid.Bin(value)) / value - 1) <= 0.005)
                hits++;
        }
        Assert.Equal(expected, Math.Log(1.005 / 0.995) / Math.Log(ratio), 4);
        Assert.InRange((double)hits / targets, expected - 0.005, expected + 0.005);
    }

    [Fact]
    public void Round_thousands_pinned_to_their_bins_are_no_easier()
    {
        // Real pay is often a round thousand: an attacker who knows that and the bin still hits
        // within 0.5% with the centre only as often as the bin's log-width allows.
        var grid = LogGrid.Default;
        int hits = 0, targets = 0;
        for (var value = 20_000.0; value <= 2_000_000; value += 1_000, targets++)
        {
            if (Math.Abs(grid.Centre(grid.Bin(value)) / value - 1) <= 0.005)
                hits++;
        }
        Assert.InRange((double)hits / targets, 0.05, 0.09);
    }
}
