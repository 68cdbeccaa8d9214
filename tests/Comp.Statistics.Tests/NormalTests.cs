using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Oracle: Python's statistics.NormalDist().inv_cdf (Wichura's AS241, accurate to ~1e-16):
//   0.975 → 1.9599639845400536, 0.9 → 1.2815515655446008, 0.01 → -2.3263478740408408,
//   0.3 → -0.5244005127080407, 0.02425 → -1.9729610513118845, 1e-10 → -6.361340902404056.
// Acklam's approximation promises a relative error below 1.15e-9, hence the 1e-8 tolerances.
public class NormalTests
{
    [Fact]
    public void The_median_of_the_standard_normal_is_zero()
    {
        Assert.Equal(0.0, Normal.InverseCdf(0.5), 1e-12);
    }

    [Theory]
    [InlineData(0.975, 1.959963985)]        // central region
    [InlineData(0.9, 1.2815515655)]          // central region
    [InlineData(0.3, -0.5244005127)]         // central region, below the median
    [InlineData(0.01, -2.326347874)]         // lower tail region (p < 0.02425)
    [InlineData(0.99, 2.326347874)]          // upper tail region
    [InlineData(0.02425, -1.9729610513)]     // boundary between the regions
    [InlineData(0.97575, 1.9729610513)]
    public void Inverse_cdf_matches_the_reference_quantiles(double p, double expected)
    {
        Assert.Equal(expected, Normal.InverseCdf(p), 1e-8);
    }

    [Fact]
    public void Far_in_the_tail_the_relative_error_stays_small()
    {
        // 1e-10 → -6.361340902404056; relative error < 1.15e-9 means within ~7.3e-9.
        Assert.Equal(-6.361340902404056, Normal.InverseCdf(1e-10), 1e-8);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.01)]
    [InlineData(0.001)]
    [InlineData(0.025)]
    public void Inverse_cdf_is_antisymmetric_about_one_half(double p)
    {
        Assert.Equal(-Normal.InverseCdf(1 - p), Normal.InverseCdf(p), 1e-12);
        Assert.True(Normal.InverseCdf(p) < 0);
    }

    [Fact]
    public void Inverse_cdf_increases_with_p()
    {
        double[] ps = [1e-6, 0.01, 0.02424, 0.02425, 0.02426, 0.2, 0.5, 0.8, 0.97574, 0.97575, 0.97576, 0.99, 1 - 1e-6];
        for (var i = 1; i < ps.Length; i++)
            Assert.True(Normal.InverseCdf(ps[i - 1]) < Normal.InverseCdf(ps[i]), $"not increasing between {ps[i - 1]} and {ps[i]}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void P_outside_the_open_unit_interval_throws(double p)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Normal.InverseCdf(p));
        Assert.Equal("p", ex.ParamName);
    }
}
