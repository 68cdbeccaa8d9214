using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

public class NoisyCdfTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    // Three bins of ratio 2: [1000, 2000), [2000, 4000), [4000, 8000].
    private static readonly CdfParameters Doubling = new() { Grid = new LogGrid(1_000m, 8_000m, 2m), Threshold = 1 };

    private static NoisyCdf Exact(CdfParameters parameters, params long[] counts) => NoisyCdf.FromNoisyCounts(counts, parameters);

    [Fact]
    public void Runs_holding_fewer_than_the_threshold_are_dropped()
    {
        // The secondary threshold at τ too: every run is judged by τ alone (the far-run rule has its own test).
        var parameters = new CdfParameters { Grid = new LogGrid(1_000m, 2_000m, 1.06m), Threshold = 4, SecondaryThreshold = 4 };
        Assert.Equal(12, parameters.Grid.Count);
        //                        run of 1: 5 ≥ 4 | run of 3: 3 < 4 |    | run of 1: 2   |    | run of 2: 3+1 = 4
        long[] noisy = [0, 5, -1, 1, 1, 1, 0, 2, -3, 3, 1, 0];
        var cdf = NoisyCdf.FromNoisyCounts(noisy, parameters);
        Assert.Equal([0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0], cdf.Counts.ToArray());
        Assert.Equal(9, cdf.N);
    }

    [Fact]
    public void A_run_far_from_the_kept_ones_needs_the_secondary_threshold()
    {
        var parameters = new CdfParameters { Grid = new LogGrid(1_000m, 2_000m, 1.06m), Threshold = 4, SecondaryThreshold = 8 };
        // heaviest: 10 | two empty bins, then 4 ≥ τ: a near tail, kept | three empty bins, then 4 < 8: far, dropped | 9 ≥ 8: kept
        long[] noisy = [10, 0, -2, 4, 0, 0, -1, 4, 0, 0, 0, 9];
        var cdf = NoisyCdf.FromNoisyCounts(noisy, parameters);
        Assert.Equal([10, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9], cdf.Counts.ToArray());
        Assert.Equal(23, cdf.N);
    }

    [Fact]
    public void A_threshold_of_one_only_clamps()
    {
        var cdf = Exact(Doubling, -2, 1, 3);
        Assert.Equal([0, 1, 3], cdf.Counts.ToArray());
        Assert.Equal(4, cdf.N);
    }

    [Fact]
    public void The_threshold_is_at_least_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CdfParameters { Threshold = 0 });
    }

    [Fact]
    public void The_counts_must_cover_the_grid()
    {
        Assert.Throws<ArgumentException>(() => NoisyCdf.FromNoisyCounts([1, 2], Doubling));
    }

    [Theory]
    // Counts [2, 2, 0], N = 4. The cumulative reaches p·(N − 1) + 1/2 at:
    [InlineData(0.0, 1189.2071150027211)]  // 0.5 of bin 0's 2: 1000·2^0.25
    [InlineData(0.25, 1542.2108254079408)] // 1.25 of 2: 1000·2^0.625
    [InlineData(0.5, 2000.0)]              // 2: the end of bin 0
    [InlineData(1.0, 3363.585661014858)]   // 3.5: 1.5 of bin 1's 2, 2000·2^0.75
    public void Quantiles_invert_the_cumulative_log_linearly(double fraction, double expected)
    {
        Assert.Equal(expected, Exact(Doubling, 2, 2, 0).Quantile(fraction), 1e-9);
    }

    [Fact]
    public void At_whole_ranks_the_quantile_is_type_7_of_the_pseudo_values()
    {
        // m values in a bin stand at the centres of m equal log-steps: bin 0 of [3, 0, 2] holds
        // 1000·2^(1/6), 1000·2^(3/6), 1000·2^(5/6); bin 2 holds 4000·2^(1/4), 4000·2^(3/4).
        double[] pseudo = [1000 * Math.Pow(2, 1 / 6.0), 1000 * Math.Pow(2, 0.5), 1000 * Math.Pow(2, 5 / 6.0), 4000 * Math.Pow(2, 0.25), 4000 * Math.Pow(2, 0.75)];
        var cdf = Exact(Doubling, 3, 0, 2);
        foreach (var fraction in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }) // h = 0, 1, 2, 3, 4
            Assert.Equal(Percentiles.Type7(pseudo, fraction), cdf.Quantile(fraction), 1e-9);
    }

    [Fact]
    public void A_gap_between_kept_bins_is_skipped()
    {
        // [1, 0, 1]: p50 → cumulative 1, the end of bin 0; the next kept value is in bin 2.
        var cdf = Exact(Doubling, 1, 0, 1);
        Assert.Equal(2000.0, cdf.Quantile(0.5), 1e-9);
        Assert.Equal(4000 * Math.Sqrt(2), cdf.Quantile(1.0), 1e-9);
        Assert.True(cdf.Quantile(0.51) > 4000);
    }

    [Fact]
    public void Rank_inverts_quantile()
    {
        var cdf = Exact(new CdfParameters { Threshold = 1 }, [.. Enumerable.Range(0, 83).Select(i => (long)(i is >= 30 and < 45 ? 3 + i % 7 : 0))]);
        for (var p = 0.0; p <= 1.0; p += 0.01)
            Assert.Equal(p, cdf.Rank(cdf.Quantile(p)), 1e-9);
    }

    [Fact]
    public void Ranks_outside_the_kept_bins_are_0_and_1()
    {
        var cdf = Exact(Doubling, 0, 4, 0);
        Assert.Equal(0.0, cdf.Rank(1500));
        Assert.Equal(0.0, cdf.Rank(-1));
        Assert.Equal(1.0, cdf.Rank(5000));
        Assert.Equal(1.0, cdf.Rank(1e12));
        // 2000·√2 is half-way through bin 1 (log scale): G = 2, rank (2 − 0.5)/3 = 0.5.
        Assert.Equal(0.5, cdf.Rank(2000 * Math.Sqrt(2)), 1e-12);
    }

    [Fact]
    public void An_empty_release_has_no_figures()
    {
        var cdf = Exact(Doubling, 0, -1, 0);
        Assert.True(cdf.IsEmpty);
        Assert.Equal(0, cdf.N);
        Assert.Throws<InvalidOperationException>(() => cdf.Quantile(0.5));
        Assert.Throws<InvalidOperationException>(() => cdf.Rank(2000));
        Assert.Throws<InvalidOperationException>(() => cdf.Interval(0.5));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_0_to_1_is_refused(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Exact(Doubling, 1, 1, 1).Quantile(fraction));
    }

    [Fact]
    public void The_noise_is_the_cells_stream_drawn_bin_by_bin()
    {
        // Stream (fingerprint; purpose 1, component): the b-th draw is bin b's noise.
        var prf = new Prf(Key);
        var counts = LogGrid.Default.Histogram([150_000.0, 160_000, 170_000, 90_000]);
        var noisy = NoisyCdf.NoisyCounts(counts, DiscreteLaplace.WithEpsilon(2, 1), prf, 0xC0FFEE, 3);
        var stream = prf.Stream(0xC0FFEE, NoisyCdf.PrfPurpose, 3);
        var laplace = DiscreteLaplace.WithEpsilon(2, 1);
        for (var bin = 0; bin < counts.Length; bin++)
            Assert.Equal(counts[bin] + laplace.Sample(stream), noisy[bin]);
    }

    [Fact]
    public void The_same_contents_give_the_same_release_and_other_contents_or_components_another()
    {
        var prf = new Prf(Key);
        var counts = LogGrid.Default.Histogram([.. Enumerable.Range(0, 200).Select(i => 100_000.0 + 500 * i)]);
        var release = NoisyCdf.Release(counts, CdfParameters.Default, prf, 12345, 0);
        var again = NoisyCdf.Release(counts, CdfParameters.Default, new Prf([.. Key]), 12345, 0);
        Assert.Equal(release.Counts.ToArray(), again.Counts.ToArray());
        Assert.Equal(release.Quantile(0.5), again.Quantile(0.5));
        Assert.NotEqual(release.Counts.ToArray(), NoisyCdf.Release(counts, CdfParameters.Default, prf, 12346, 0).Counts.ToArray());
        Assert.NotEqual(release.Counts.ToArray(), NoisyCdf.Release(counts, CdfParameters.Default, prf, 12345, 1).Counts.ToArray());
    }

    [Fact]
    public void Negative_counts_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NoisyCdf.NoisyCounts([1, -1, 0], DiscreteLaplace.WithEpsilon(2, 1), new Prf(Key), 1, 0));
    }

    [Fact]
    public void The_interval_contains_the_estimate_and_widens_with_the_level()
    {
        var cdf = Exact(new CdfParameters { Threshold = 1 }, [.. Enumerable.Range(0, 83).Select(i => (long)(i is >= 30 and < 45 ? 20 : 0))]);
        foreach (var fraction in new[] { 0.1, 0.25, 0.5, 0.75, 0.9 })
        {
            var (lower, upper) = cdf.Interval(fraction);
            var (wideLower, wideUpper) = cdf.Interval(fraction, 0.99);
            Assert.True(lower < cdf.Quantile(fraction) && cdf.Quantile(fraction) < upper, $"p{fraction * 100}: {lower} .. {upper}");
            Assert.True(wideLower < lower && upper < wideUpper);
        }
    }

    [Fact]
    public void The_interval_has_exact_bounds_for_a_flat_release()
    {
        // 300 in bins 30-44, 20 each, threshold 1 (no noise in the counts given). At p50: centre
        // 150, variance 300·0.25 + σ²·(0.25·(37 − 29 + 1) + 0.25·(45 − 37 + 1)) with σ² = 0.362031,
        // z = 1.644854; the neighbours of bin 37 are equal, so no curvature allowance.
        var cdf = Exact(new CdfParameters { Threshold = 1 }, [.. Enumerable.Range(0, 83).Select(i => (long)(i is >= 30 and < 45 ? 20 : 0))]);
        var variance = 300 * 0.25 + DiscreteLaplace.WithEpsilon(2, 1).Variance * (0.25 * 9 + 0.25 * 9);
        var half = Normal.InverseCdf(0.95) * Math.Sqrt(variance);
        var log = LogGrid.Default.LogEdges.ToArray();
        double At(double cumulative)
        {
            var bin = 30 + (int)(cumulative / 20);
            return Math.Exp(log[bin] + (log[bin + 1] - log[bin]) * (cumulative - 20 * (bin - 30)) / 20);
        }
        var (lower, upper) = cdf.Interval(0.5);
        Assert.Equal(At(150 - half), lower!.Value, 1e-6);
        Assert.Equal(At(150 + half), upper!.Value, 1e-6);
    }

    [Fact]
    public void A_bound_beyond_the_data_is_null()
    {
        // N = 5: at p10 the band reaches below 0 counts and at p90 above N.
        var cdf = Exact(Doubling, 0, 5, 0);
        Assert.Null(cdf.Interval(0.1).Lower);
        Assert.NotNull(cdf.Interval(0.1).Upper);
        Assert.Null(cdf.Interval(0.9).Upper);
    }

    [Fact]
    public void The_default_parameters_describe_themselves()
    {
        Assert.Equal(
            "noisy histogram over 83 log-scale bins, each edge 1.15 times the one before, from 1000 to 109124118.71 (values outside go to the end bins); " +
            "discrete Laplace, scale 1/2 (ε = 2) on every bin; counts below 1, and runs of neighbouring bins holding fewer than 4 in all (8 for a run more than 2 empty bins from the others kept), dropped",
            CdfParameters.Default.Describe());
    }
}
