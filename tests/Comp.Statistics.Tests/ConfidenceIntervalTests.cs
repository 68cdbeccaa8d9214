using System.Globalization;
using Comp.Statistics;
using Xunit.Abstractions;

namespace Comp.Statistics.Tests;

// Oracle for the exact ranks: the binomial CDF F(k) = P(B <= k), B ~ Bin(n, p), worked out by hand
// for the small cases below and cross-checked with Python's fractions.Fraction (exact rational
// arithmetic, sum of comb(n, k) p^k (1-p)^(n-k)). At level 0.90 each tail may hold at most 0.05:
//   lower = the largest l >= 1 with F(l-1) <= 0.05 (null if F(0) > 0.05),
//   upper = the smallest u <= n with F(u-1) >= 0.95 (null if F(n-1) < 0.95).
// Then P(x(l) <= ξ_p <= x(u)) >= F(u-1) - F(l-1) >= 0.90 for any continuous distribution.
public class ConfidenceIntervalTests
{
    private readonly ITestOutputHelper _output;

    public ConfidenceIntervalTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void The_published_level_is_ninety_percent()
    {
        Assert.Equal(0.90, ConfidenceInterval.Level);
    }

    [Fact]
    public void Ten_datapoints_at_the_median_give_ranks_2_and_9()
    {
        // Bin(10, 0.5): F(k) = Σ_{i<=k} C(10,i) / 1024.
        //   F(0) = 1/1024 = 0.0010, F(1) = (1+10)/1024 = 0.0107, F(2) = (11+45)/1024 = 56/1024 = 0.0547,
        //   F(7) = 1 - (45+10+1)/1024 = 968/1024 = 0.9453, F(8) = 1 - 11/1024 = 1013/1024 = 0.9893.
        // Lower: F(1) = 0.0107 <= 0.05 but F(2) = 0.0547 > 0.05 → l = 2.
        // Upper: F(8) = 0.9893 >= 0.95 but F(7) = 0.9453 < 0.95 → u = 9.
        Assert.Equal((2, 9), ConfidenceInterval.Ranks(10, 0.5));
    }

    [Fact]
    public void Five_datapoints_cannot_bound_p10_from_below()
    {
        // Bin(5, 0.1): F(0) = 0.9^5 = 0.59049 > 0.05 → no lower rank.
        //   F(1) = 0.59049 + 5·0.1·0.9^4 = 0.59049 + 0.32805 = 0.91854 < 0.95,
        //   F(2) = 0.91854 + 10·0.01·0.9^3 = 0.91854 + 0.0729 = 0.99144 >= 0.95 → u = 3.
        Assert.Equal(((int?)null, (int?)3), ConfidenceInterval.Ranks(5, 0.1));
    }

    [Fact]
    public void Twenty_datapoints_cannot_bound_p90_from_above()
    {
        // Bin(20, 0.9): F(k) = P(B' >= 20-k) for B' ~ Bin(20, 0.1), whose CDF is
        //   G(3) = 0.867047, G(4) = 0.956826, and G(0) = 0.9^20 = 0.121577.
        // Lower: F(15) = 1 - G(4) = 0.043174 <= 0.05, F(16) = 1 - G(3) = 0.132953 > 0.05 → l = 16.
        // Upper: F(19) = 1 - 0.9^20 = 0.878423 < 0.95 → even x(20) is not enough → null.
        Assert.Equal(((int?)16, (int?)null), ConfidenceInterval.Ranks(20, 0.9));
    }

    [Theory]
    // n = 1: F(0) = 1 - p. A lower rank needs 1 - p <= 0.05, an upper rank 1 - p >= 0.95.
    [InlineData(0.5, null, null)]  // F(0) = 0.5: neither
    [InlineData(0.97, 1, null)]    // F(0) = 0.03 <= 0.05 → l = 1; 0.03 < 0.95 → no u
    [InlineData(0.03, null, 1)]    // F(0) = 0.97 > 0.05 → no l; 0.97 >= 0.95 → u = 1
    public void A_single_datapoint_bounds_only_an_extreme_percentile(double fraction, int? lower, int? upper)
    {
        Assert.Equal((lower, upper), ConfidenceInterval.Ranks(1, fraction));
    }

    [Theory]
    // Bin(20, .5): F(5) = 0.0207, F(6) = 0.0577 → l = 6; F(13) = 0.9423, F(14) = 0.9793 → u = 15.
    [InlineData(20, 0.5, 6, 15)]
    // Bin(20, .1): F(0) = 0.1216 > 0.05 → null; F(3) = 0.8670, F(4) = 0.9568 → u = 5.
    [InlineData(20, 0.1, null, 5)]
    // Bin(20, .25): F(1) = 0.0243, F(2) = 0.0913 → l = 2; F(7) = 0.8982, F(8) = 0.9591 → u = 9.
    [InlineData(20, 0.25, 2, 9)]
    // Bin(5, .5): F(0) = 1/32 = 0.0313, F(1) = 6/32 = 0.1875 → l = 1; F(3) = 26/32 = 0.8125, F(4) = 31/32 = 0.9688 → u = 5.
    [InlineData(5, 0.5, 1, 5)]
    // Bin(10, .75): F(4) = 0.0197, F(5) = 0.0781 → l = 5; F(9) = 1 - 0.75^10 = 0.9437 < 0.95 → null.
    [InlineData(10, 0.75, 5, null)]
    // Bin(60, .5): F(23) = 0.046230, F(24) = 0.077501 → l = 24; F(35) = 0.922499, F(36) = 0.953770 → u = 37.
    [InlineData(60, 0.5, 24, 37)]
    // Bin(60, .1): F(1) = 0.013777, F(2) = 0.053045 → l = 2; F(9) = 0.926934, F(10) = 0.965791 → u = 11.
    [InlineData(60, 0.1, 2, 11)]
    // Bin(200, .5): F(87) = 0.038419, F(88) = 0.051820 → l = 88; F(111) = 0.948180, F(112) = 0.961581 → u = 113.
    [InlineData(200, 0.5, 88, 113)]
    public void Exact_ranks_match_the_binomial_cdf(int n, double fraction, int? lower, int? upper)
    {
        // CDF values from Python's fractions (exact), rounded here for reading.
        Assert.Equal((lower, upper), ConfidenceInterval.Ranks(n, fraction));
    }

    [Fact]
    public void A_cdf_exactly_on_the_tail_still_gives_a_rank()
    {
        // The rule keeps "at most" (1 − level)/2 in each tail, so a tail of exactly 0.05 qualifies.
        // n = 1, p = 0.95: F(0) = 1 − 0.95 = 0.05 <= 0.05 → l = 1; F(0) = 0.05 < 0.95 → no upper.
        // Mirror case n = 1, p = 0.05: F(0) = 0.95 >= 0.95 → u = 1 (the code agrees there).
        // A search over n = 1..119 and every integer percentile (Python fractions) finds no other exact
        // tie with 0.05 or 0.95, so n = 1 at p5/p95 is the only case where this matters.
        Assert.Equal(((int?)null, (int?)1), ConfidenceInterval.Ranks(1, 0.05));
        Assert.Equal(((int?)1, (int?)null), ConfidenceInterval.Ranks(1, 0.95));
    }

    [Fact]
    public void A_higher_level_widens_the_interval()
    {
        // Level 0.95, each tail <= 0.025. Bin(60, .5): F(21) = 0.013670 <= 0.025, F(22) = 0.025947 > 0.025
        // → l = 22; F(37) = 0.974053 < 0.975, F(38) = 0.986330 >= 0.975 → u = 39. At 0.90 it is (24, 37).
        Assert.Equal((22, 39), ConfidenceInterval.Ranks(60, 0.5, level: 0.95));
        Assert.Equal((24, 37), ConfidenceInterval.Ranks(60, 0.5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(200)]
    [InlineData(1000)]
    public void Ranks_for_p_and_one_minus_p_mirror_each_other(int n)
    {
        // The number of datapoints below ξ_(1-p) is n − Bin(n, p), so the ranks reflect: a lower rank l
        // for p is the upper rank n + 1 − l for 1 − p, and vice versa (a null stays null).
        static int? Mirror(int n, int? rank) => rank is { } r ? n + 1 - r : null;
        // p5/p95 are left out: at n = 1 they are an exact tie (F(0) = 0.05), see the test below.
        foreach (var p in new[] { 0.02, 0.1, 0.25, 0.3, 0.4, 0.5 })
        {
            var (lower, upper) = ConfidenceInterval.Ranks(n, p);
            var (mirroredLower, mirroredUpper) = ConfidenceInterval.Ranks(n, 1 - p);
            Assert.True(Mirror(n, upper) == mirroredLower && Mirror(n, lower) == mirroredUpper,
                $"n={n}, p={p}: ({lower}, {upper}) does not mirror ({mirroredLower}, {mirroredUpper})");
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(60)]
    [InlineData(1000)]
    public void Lower_rank_never_exceeds_upper_rank_and_both_lie_in_range(int n)
    {
        for (var percentile = 1; percentile <= 99; percentile++)
        {
            var (lower, upper) = ConfidenceInterval.Ranks(n, percentile / 100.0);
            Assert.True(lower is null || (lower >= 1 && lower <= n), $"n={n}, p{percentile}: lower {lower}");
            Assert.True(upper is null || (upper >= 1 && upper <= n), $"n={n}, p{percentile}: upper {upper}");
            Assert.True(lower is null || upper is null || lower < upper, $"n={n}, p{percentile}: ({lower}, {upper})");
        }
    }

    [Fact]
    public void A_million_datapoints_use_the_normal_approximation()
    {
        // n = 1,000,000 > 200,000. n·p = 500,000, sqrt(n p (1-p)) = 500, z_0.95 = 1.6448536:
        // n·p ∓ z·500 = 499,177.57 and 500,822.43. The code floors the lower end (499,177) and takes
        // ceil + 1 for the upper (500,824). Exact binomial ranks (Python, log-space pmf summed in
        // double) are 499,178 and 500,823: the approximation is at most one rank wider per side.
        var (lower, upper) = ConfidenceInterval.Ranks(1_000_000, 0.5);

        Assert.NotNull(lower);
        Assert.NotNull(upper);
        Assert.InRange(lower!.Value, 499_177.57 - 2, 499_177.57 + 2);
        Assert.InRange(upper!.Value, 500_822.43 - 2, 500_822.43 + 2);
        Assert.True(lower <= 499_178 && upper >= 500_823, $"({lower}, {upper}) is narrower than the exact (499178, 500823)");
    }

    [Fact]
    public void The_normal_approximation_at_p10_stays_within_a_rank_of_the_exact_ranks()
    {
        // n = 1,000,000, p = 0.1: n·p = 100,000, sqrt(n p (1-p)) = 300, z·300 = 493.46 →
        // 99,506.54 and 100,493.46. Exact binomial ranks (Python): 99,507 and 100,495.
        var (lower, upper) = ConfidenceInterval.Ranks(1_000_000, 0.1);

        Assert.InRange(lower!.Value, 99_506, 99_507);
        Assert.InRange(upper!.Value, 100_495, 100_496);
    }

    [Fact]
    public void Exact_and_approximate_ranks_agree_across_the_switch_at_200000()
    {
        // n = 200,000 is computed exactly: ranks (99,632, 100,369) (Python, log-space pmf).
        // n = 200,001 uses the normal approximation: n·p = 100,000.5, z·sqrt(50,000.25) = 367.81 →
        // floor(99,632.69) = 99,632 and ceil(100,368.31) + 1 = 100,370.
        var exact = ConfidenceInterval.Ranks(200_000, 0.5);
        var approximate = ConfidenceInterval.Ranks(200_001, 0.5);

        Assert.Equal((99_632, 100_369), exact);
        Assert.InRange(approximate.Lower!.Value, 99_632 - 2, 99_632 + 2);
        Assert.InRange(approximate.Upper!.Value, 100_369 - 2, 100_369 + 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Fewer_than_one_datapoint_throws(int n)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceInterval.Ranks(n, 0.5));
        Assert.Equal("n", ex.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_the_open_unit_interval_throws(double fraction)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceInterval.Ranks(10, fraction));
        Assert.Equal("fraction", ex.ParamName);
    }

    // Coverage simulation. Data: log-normal, ln X ~ N(12, 0.5²) (a salary-like distribution around
    // e^12 ≈ 163,000), normals from Box–Muller on a seeded System.Random so every run draws the same
    // samples. The true percentile is exp(12 + 0.5·z_p), z_p = Normal.InverseCdf(p). A null bound
    // counts as unbounded on its side.
    //
    // Expected coverage F(u-1) − F(l-1) from the exact ranks (Python fractions):
    //   n = 60:  p10 (2, 11) 0.952, p25 (10, 22) 0.925, p50 (24, 37) 0.908, p75 0.925, p90 0.952;
    //   n = 200: p10 (13, 28) 0.925, p25 (40, 61) 0.914, p50 (88, 113) 0.923, p75 0.914, p90 0.925.
    // Over 1,000 draws the standard error of a measured coverage near 0.92 is sqrt(.92·.08/1000) ≈ 0.009,
    // so 0.85 is more than 6 standard errors below every expected value, and 0.995 more than 4 above
    // the largest: the test fails on intervals that miss (too narrow, wrong ranks, off by one the
    // wrong way) and on degenerate ones (always unbounded, or always x(1)..x(n)).
    private const int Repetitions = 1000;
    private const int Seed = 20_240_601;
    private const double Mu = 12.0;
    private const double Sigma = 0.5;

    [Theory]
    [InlineData(60)]
    [InlineData(200)]
    public void Intervals_cover_the_true_percentile_about_ninety_percent_of_the_time(int n)
    {
        double[] fractions = [0.10, 0.25, 0.50, 0.75, 0.90];
        var ranks = fractions.Select(p => ConfidenceInterval.Ranks(n, p)).ToArray();
        var truth = fractions.Select(p => Math.Exp(Mu + Sigma * Normal.InverseCdf(p))).ToArray();
        // At these sizes every asked percentile has both bounds; a null here would make coverage trivially 1.
        Assert.All(ranks, r => { Assert.NotNull(r.Lower); Assert.NotNull(r.Upper); });

        var random = new Random(Seed);
        var covered = new int[fractions.Length];
        var sample = new double[n];
        for (var rep = 0; rep < Repetitions; rep++)
        {
            FillLogNormal(random, sample);
            Array.Sort(sample);
            for (var i = 0; i < fractions.Length; i++)
            {
                var (lower, upper) = ranks[i];
                var aboveLower = lower is not { } l || sample[l - 1] <= truth[i];
                var belowUpper = upper is not { } u || sample[u - 1] >= truth[i];
                if (aboveLower && belowUpper)
                    covered[i]++;
            }
        }

        var failures = new List<string>();
        for (var i = 0; i < fractions.Length; i++)
        {
            var coverage = (double)covered[i] / Repetitions;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"n={n} p{fractions[i] * 100:0} ranks ({ranks[i].Lower}, {ranks[i].Upper}) coverage {coverage:0.000} over {Repetitions} draws");
            _output.WriteLine(line);
            if (coverage < 0.85 || coverage > 0.995)
                failures.Add(line);
        }
        Assert.True(failures.Count == 0, "coverage outside [0.85, 0.995] (nominal 0.90): " + string.Join("; ", failures));
    }

    [Fact]
    public void The_coverage_check_itself_fails_on_degenerate_intervals()
    {
        // Guard for the simulation's thresholds, on the same draws: with the sample extremes x(1)..x(60)
        // as bounds the median is covered with probability 1 − 2·0.5^60 ≈ 1, above the 0.995 ceiling;
        // with x(30) as both bounds, with probability 0 (a continuous distribution), below the 0.85 floor.
        const int n = 60;
        var truth = Math.Exp(Mu + Sigma * Normal.InverseCdf(0.5));
        var random = new Random(Seed);
        var sample = new double[n];
        int extremes = 0, point = 0;
        for (var rep = 0; rep < Repetitions; rep++)
        {
            FillLogNormal(random, sample);
            Array.Sort(sample);
            if (sample[0] <= truth && sample[^1] >= truth)
                extremes++;
            if (sample[29] <= truth && sample[29] >= truth)
                point++;
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extremes coverage {extremes / (double)Repetitions:0.000}, point coverage {point / (double)Repetitions:0.000}"));
        Assert.True(extremes / (double)Repetitions > 0.995, $"x(1)..x(60) covered the median only {extremes} of {Repetitions} times");
        Assert.True(point / (double)Repetitions < 0.85, $"a point interval covered {point} of {Repetitions} times");
    }

    /// <summary>Fills <paramref name="sample"/> with log-normal draws, ln X ~ N(Mu, Sigma²), by Box–Muller.</summary>
    private static void FillLogNormal(Random random, double[] sample)
    {
        for (var i = 0; i < sample.Length; i += 2)
        {
            var u1 = 1.0 - random.NextDouble(); // (0, 1]: the log is finite
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2.0 * Math.Log(u1));
            sample[i] = Math.Exp(Mu + Sigma * radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < sample.Length)
                sample[i + 1] = Math.Exp(Mu + Sigma * radius * Math.Sin(2 * Math.PI * u2));
        }
    }
}
