using System.Collections.Concurrent;
using Comp.Statistics;

namespace Comp.Statistics.Tests;

// ConfidenceInterval.Ranks sums only the binomial terms within e^−50 of the mode; these tests hold
// it to the full-CDF implementation it replaced (ReferenceExactRanks), rank for rank and null for
// null. The reference costs O(n) per call, so the sizes are split between every n up to 3,000 and
// a seeded sample above it; both run on all cores.
public class ConfidenceIntervalReferenceTests
{
    private static readonly double Tail = (1 - ConfidenceInterval.Level) / 2;

    private static IReadOnlyList<string> Mismatches(IEnumerable<int> sizes, double level)
    {
        var tail = (1 - level) / 2;
        var mismatches = new ConcurrentBag<string>();
        Parallel.ForEach(sizes, n =>
        {
            for (var percentile = 1; percentile <= 99; percentile++)
            {
                var fraction = percentile / 100.0;
                var expected = ReferenceExactRanks.ExactRanks(n, fraction, tail);
                var actual = ConfidenceInterval.Ranks(n, fraction, level);
                if (actual != expected)
                    mismatches.Add($"n={n}, p{percentile}: {actual}, reference {expected}");
            }
        });
        return [.. mismatches.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Ranks_match_the_full_cdf_for_every_n_up_to_3000_and_every_percentile()
    {
        Assert.Empty(Mismatches(Enumerable.Range(1, 3000), ConfidenceInterval.Level));
    }

    [Fact]
    public void Ranks_match_the_full_cdf_for_a_sample_of_n_up_to_200000_and_every_percentile()
    {
        // 100 sizes log-uniform in (3,000, 200,000] (seed 20_251_125), plus the exact limit itself.
        var random = new Random(20_251_125);
        var sizes = Enumerable.Range(0, 100)
            .Select(_ => (int)Math.Round(3000 * Math.Pow(200_000 / 3000.0, random.NextDouble())))
            .Select(n => Math.Clamp(n, 3001, 200_000))
            .Append(200_000)
            .ToArray();

        Assert.Empty(Mismatches(sizes, ConfidenceInterval.Level));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void Ranks_at_other_levels_match_the_full_cdf(double level)
    {
        Assert.Empty(Mismatches(Enumerable.Range(1, 600), level));
    }

    [Theory]
    [InlineData(1, 0.95, 1, null)]  // F(0) = 0.05 (in binary 0.05000000000000004): inside the slack
    [InlineData(1, 0.05, null, 1)]  // F(0) = 0.95: inside the slack on the upper side
    [InlineData(20, 0.5, 6, 15)]
    [InlineData(200_000, 0.5, 99_632, 100_369)]
    [InlineData(200_000, 0.01, 1_927, 2_074)]
    [InlineData(200_000, 0.99, 197_927, 198_074)]
    public void Ranks_on_and_off_the_tail_match_the_full_cdf(int n, double fraction, int? lower, int? upper)
    {
        Assert.Equal(ReferenceExactRanks.ExactRanks(n, fraction, Tail), (lower, upper));
        Assert.Equal((lower, upper), ConfidenceInterval.Ranks(n, fraction));
    }
}
