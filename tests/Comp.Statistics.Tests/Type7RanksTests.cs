using Comp.Statistics;

namespace Comp.Statistics.Tests;

// h = fraction·(n − 1); type 7 reads x[floor h] and x[ceil h] (0-based).
public class Type7RanksTests
{
    [Theory]
    [InlineData(10, 0.5, 4, 5)]    // h = 4.5
    [InlineData(5, 0.5, 2, 2)]     // h = 2: one value, no interpolation
    [InlineData(1, 0.3, 0, 0)]     // h = 0
    [InlineData(20, 0.05, 0, 1)]   // h = 0.95
    [InlineData(10, 0.9, 8, 9)]    // h = 8.1
    [InlineData(10, 0.0, 0, 0)]
    [InlineData(10, 1.0, 9, 9)]
    public void The_ranks_are_the_floor_and_ceiling_of_the_position(int count, double fraction, int lower, int upper)
    {
        Assert.Equal((lower, upper), Percentiles.Type7Ranks(count, fraction));
    }

    [Fact]
    public void Type7_reads_only_its_two_ranks()
    {
        // [15, 20, 35, 40, 50], p90: h = 3.6 → ranks 3 and 4 → 40 + 0.6·10 = 46. The other
        // positions are scrambled: only ranks 3 and 4 need to hold their order statistics.
        double[] values = [35, 15, 20, 40, 50];

        Assert.Equal((3, 4), Percentiles.Type7Ranks(values.Length, 0.9));
        Assert.Equal(46.0, Percentiles.Type7(values, 0.9));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_the_unit_interval_throws(double fraction)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Type7Ranks(10, fraction));
        Assert.Equal("fraction", ex.ParamName);
    }

    [Fact]
    public void No_values_have_no_ranks()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Type7Ranks(0, 0.5));
        Assert.Equal("count", ex.ParamName);
    }
}
