using Comp.Statistics.Privacy;
using Xunit.Abstractions;

namespace Comp.Statistics.Tests.Privacy;

// Oracle for the fixed-key sequences: an independent Python port of Canonne–Kamath–Steinke 2020,
// Algorithms 1 and 2, over the same bit stream (see PrfTests). Key bytes 0..31, fingerprint 2024,
// labels [1, 3], 16 draws each. Closed forms: P(0) = (1 − e^−ε)/(1 + e^−ε) = tanh(ε/2),
// Var = 2e^−ε/(1 − e^−ε)², P(X ≥ k) = e^−εk/(1 + e^−ε).
public class DiscreteLaplaceTests
{
    private readonly ITestOutputHelper _output;

    public DiscreteLaplaceTests(ITestOutputHelper output) => _output = output;

    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Theory]
    [InlineData(1, 1, new long[] { 0, 0, 2, 2, -2, -1, 1, 0, 0, -2, 2, 0, 0, -1, 0, -2 }, 133)]
    [InlineData(1, 2, new long[] { 0, 0, 1, 1, -1, 0, 0, 0, -1, 1, 0, 0, 0, -1, 0, 0 }, 147)]
    [InlineData(2, 3, new long[] { 0, 0, -1, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0 }, 201)]
    [InlineData(5, 1, new long[] { 11, 3, -5, 0, -6, -7, 1, -6, 2, -1, 3, 5, -3, 0, -6, -3 }, 368)]
    public void Draws_match_the_reference_implementation(int numerator, int denominator, long[] expected, long bits)
    {
        var laplace = new DiscreteLaplace(numerator, denominator);
        var stream = new Prf(Key).Stream(2024, 1, 3);
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(_ => laplace.Sample(stream)));
        Assert.Equal(bits, stream.BitsRead);
    }

    [Fact]
    public void Exp_minus_gamma_matches_the_reference_implementation()
    {
        var stream = new Prf(Key).Stream(99);
        bool[] expected = [false, true, false, false, true, false, false, true, true, false, false, false, false, false, false, false];
        Assert.Equal(expected, Enumerable.Range(0, 16).Select(_ => ExactBernoulli.ExpMinus(stream, 3, 2)));
        Assert.Equal(32, stream.BitsRead);
    }

    [Fact]
    public void Closed_forms()
    {
        var one = DiscreteLaplace.WithEpsilon(1, 1);
        Assert.Equal(0.46211715726000974, one.Probability(0), 1e-15);
        Assert.Equal(1.8413471884155848, one.Variance, 1e-13);
        var two = DiscreteLaplace.WithEpsilon(2, 1);
        Assert.Equal((1, 2), (two.ScaleNumerator, two.ScaleDenominator));
        Assert.Equal(2.0, two.Epsilon);
        Assert.Equal(0.7615941559557649, two.Probability(0), 1e-15);
        Assert.Equal(0.36203083048315526, two.Variance, 1e-14);
        Assert.Equal(0.00029547450242731416, two.UpperTail(4), 1e-17);
        Assert.Equal(two.Probability(3), two.Probability(-3));
        Assert.Equal(1.0, Enumerable.Range(-60, 121).Sum(x => one.Probability(x)), 1e-12);
    }

    [Fact]
    public void Descriptions_state_the_scale_and_epsilon()
    {
        Assert.Equal("discrete Laplace, scale 1/2 (ε = 2)", DiscreteLaplace.WithEpsilon(2, 1).Describe());
        Assert.Equal("discrete Laplace, scale 2/3 (ε = 1.5)", DiscreteLaplace.WithEpsilon(3, 2).Describe());
        Assert.Equal("discrete Laplace, scale 1 (ε = 1)", new DiscreteLaplace(1, 1).Describe());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(-1, 1)]
    public void A_scale_needs_positive_integers(int numerator, int denominator)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiscreteLaplace(numerator, denominator));
    }

    [Fact]
    public void Certain_bernoulli_draws_read_nothing()
    {
        var stream = new Prf(Key).Stream(1);
        Assert.False(ExactBernoulli.Draw(stream, 0, 5));
        Assert.True(ExactBernoulli.Draw(stream, 5, 5));
        Assert.True(ExactBernoulli.Draw(stream, 9, 5));
        Assert.True(ExactBernoulli.ExpMinus(stream, 0, 3)); // exp(0) = 1: K stops at 1 without a draw
        Assert.Equal(0, stream.BitsRead);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 2)]
    public void Exp_minus_gamma_has_probability_exp_minus_gamma(ulong numerator, ulong denominator)
    {
        // 200,000 draws; δ = 1e-7 per case.
        var (key, hex) = StatisticalBounds.FreshKey();
        var stream = new Prf(key).Stream(11);
        const int draws = 200_000;
        var p = Math.Exp(-(double)numerator / denominator);
        var ones = 0L;
        for (var i = 0; i < draws; i++)
            ones += ExactBernoulli.ExpMinus(stream, numerator, denominator) ? 1 : 0;
        var allowed = StatisticalBounds.BinomialDeviation(draws, p, 1e-7);
        Assert.True(Math.Abs(ones - draws * p) < allowed, $"{ones} of {draws} for p = {p:F6}, allowed ±{allowed:F0}; key {hex}");
    }

    [Theory]
    [InlineData(1, 1)] // ε = 1
    [InlineData(1, 2)] // ε = 2, the default
    [InlineData(2, 3)] // ε = 1.5: s > 1 exercises ⌊X/s⌋
    [InlineData(3, 1)] // ε = 1/3: t > 1 exercises U
    public void Two_hundred_thousand_draws_follow_the_pmf(int numerator, int denominator)
    {
        // Each draw from its own stream (fingerprint i), as a release draws per cell. Four families
        // of checks (the categories' counts, χ², the mean, the symmetry) each fail a correct sampler
        // with probability at most 1e-7 (union bounds within a family): below 1e-6 in all.
        var (key, hex) = StatisticalBounds.FreshKey();
        var prf = new Prf(key);
        var laplace = new DiscreteLaplace(numerator, denominator);
        const int draws = 200_000;
        var samples = new long[draws];
        for (var i = 0; i < draws; i++)
            samples[i] = laplace.Sample(prf.Stream((ulong)i, 7));

        // Categories: each x with |x| ≤ K, and the two tails beyond; K keeps every category's expected count ≥ 50.
        var k = 0;
        while (draws * laplace.UpperTail(k + 2) >= 50)
            k++;
        var categories = 2 * k + 3;
        var delta = 1e-7 / categories;
        var chiSquare = 0.0;
        string Failure(string what) => $"{laplace.Describe()}: {what}; key {hex}";
        for (var x = -k - 1; x <= k + 1; x++)
        {
            long observed;
            double p;
            if (x == -k - 1)
            {
                observed = samples.LongCount(s => s <= x);
                p = laplace.UpperTail(k + 1);
            }
            else if (x == k + 1)
            {
                observed = samples.LongCount(s => s >= x);
                p = laplace.UpperTail(k + 1);
            }
            else
            {
                observed = samples.LongCount(s => s == x);
                p = laplace.Probability(x);
            }
            var expected = draws * p;
            chiSquare += (observed - expected) * (observed - expected) / expected;
            var allowed = StatisticalBounds.BinomialDeviation(draws, p, delta);
            Assert.True(Math.Abs(observed - expected) < allowed, Failure($"x = {x}: {observed}, expected {expected:F0} ± {allowed:F0}"));
        }

        // Wilson–Hilferty's approximation of the χ² quantile at 1 − 1e-7 (z = 5.1993).
        var df = categories - 1;
        var critical = df * Math.Pow(1 - 2.0 / (9 * df) + 5.1993 * Math.Sqrt(2.0 / (9 * df)), 3);
        Assert.True(chiSquare < critical, Failure($"χ² = {chiSquare:F1} on {df} df, critical {critical:F1}"));

        // Mean 0: the sum's Chernoff bound at δ = 1e-7.
        var sum = samples.Sum();
        var allowedSum = StatisticalBounds.LaplaceSumDeviation(draws, laplace.Epsilon, 1e-7);
        Assert.True(Math.Abs(sum) < allowedSum, Failure($"sum {sum}, allowed ±{allowedSum:F0}"));

        // Symmetry: of the draws with |x| = j, each sign is a fair coin; j ≤ K together at δ = 1e-7 (union).
        for (var j = 1; j <= k; j++)
        {
            var positive = samples.LongCount(s => s == j);
            var both = positive + samples.LongCount(s => s == -j);
            var allowedSplit = StatisticalBounds.FairSplitDeviation(both, 1e-7 / k);
            Assert.True(Math.Abs(positive - both / 2.0) < allowedSplit, Failure($"|x| = {j}: {positive} of {both} positive, allowed ±{allowedSplit:F0}"));
        }

        _output.WriteLine($"{laplace.Describe()}: {draws} draws, categories |x| ≤ {k} and two tails, χ² = {chiSquare:F1} on {df} df " +
            $"(critical at 1e-7 ≈ {critical:F1}), mean {(double)sum / draws:+0.0000;-0.0000} (allowed ±{allowedSum / draws:F4}), " +
            $"variance {samples.Average(s => (double)s * s):F4} (exact {laplace.Variance:F4})");
    }

    [Fact]
    public void A_stream_gives_the_same_draws_every_time()
    {
        var laplace = DiscreteLaplace.WithEpsilon(2, 1);
        var first = new Prf(Key).Stream(77, 1, 0);
        var again = new Prf(Key).Stream(77, 1, 0);
        for (var i = 0; i < 1000; i++)
            Assert.Equal(laplace.Sample(first), laplace.Sample(again));
    }
}
