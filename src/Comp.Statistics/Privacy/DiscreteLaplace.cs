namespace Comp.Statistics.Privacy;

/// <summary>
/// The discrete Laplace (two-sided geometric) distribution on the integers,
/// P(x) = (1 − e^−ε)/(1 + e^−ε) · e^(−ε|x|), with scale t = 1/ε a positive rational
/// <see cref="ScaleNumerator"/>/<see cref="ScaleDenominator"/>. Added to a count that one
/// datapoint changes by at most 1, it gives ε-differential privacy; the result is an integer, so no
/// floating-point artefact (as in a naive continuous Laplace sampler) can leak the count.
/// </summary>
public sealed record DiscreteLaplace
{
    /// <param name="scaleNumerator">t's numerator, ≥ 1.</param>
    /// <param name="scaleDenominator">t's denominator, ≥ 1.</param>
    public DiscreteLaplace(int scaleNumerator, int scaleDenominator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scaleNumerator, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scaleDenominator, 1);
        ScaleNumerator = scaleNumerator;
        ScaleDenominator = scaleDenominator;
    }

    /// <summary>The distribution with ε = <paramref name="numerator"/>/<paramref name="denominator"/> (scale their inverse).</summary>
    public static DiscreteLaplace WithEpsilon(int numerator, int denominator) => new(denominator, numerator);

    public int ScaleNumerator { get; }

    public int ScaleDenominator { get; }

    /// <summary>ε = 1/t, the privacy loss of one count released with this noise.</summary>
    public double Epsilon => (double)ScaleDenominator / ScaleNumerator;

    /// <summary>e^−ε, the ratio of neighbouring probabilities.</summary>
    private double Decay => Math.Exp(-Epsilon);

    /// <summary>The probability of <paramref name="x"/>.</summary>
    public double Probability(long x) => (1 - Decay) / (1 + Decay) * Math.Pow(Decay, Math.Abs((double)x));

    /// <summary>P(X ≥ k) for k ≥ 1: e^(−εk)/(1 + e^−ε); by symmetry also P(X ≤ −k).</summary>
    public double UpperTail(long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return Math.Pow(Decay, k) / (1 + Decay);
    }

    /// <summary>The variance, 2e^−ε/(1 − e^−ε)²; the mean is 0.</summary>
    public double Variance => 2 * Decay / ((1 - Decay) * (1 - Decay));

    /// <summary>
    /// One draw, by Algorithm 2 of Canonne, Kamath and Steinke (2020) with their t = our scale's
    /// numerator and s = its denominator, from uniform integers only:
    /// U uniform in {0, …, t−1} is kept with probability exp(−U/t), V counts successes of
    /// Bernoulli(e^−1) before the first failure, so X = U + tV has P(X = x) ∝ e^(−x/t) on x ≥ 0;
    /// Y = ⌊X/s⌋ then has P(Y = y) ∝ e^(−ys/t) = e^(−εy). A fair sign B makes it two-sided;
    /// (B = negative, Y = 0) is rejected so that 0 is not counted twice.
    /// </summary>
    public long Sample(PrfStream stream)
    {
        var t = (ulong)ScaleNumerator;
        var s = (ulong)ScaleDenominator;
        while (true)
        {
            var u = stream.NextBelow(t);
            if (!ExactBernoulli.ExpMinus(stream, u, t))
                continue;
            ulong v = 0;
            while (ExactBernoulli.ExpMinus(stream, 1, 1))
                v++;
            var y = checked(u + t * v) / s;
            var negative = stream.NextBelow(2) == 1;
            if (negative && y == 0)
                continue;
            return negative ? -(long)y : (long)y;
        }
    }

    /// <summary>For methodology text: <c>discrete Laplace, scale 2/3 (ε = 1.5)</c>.</summary>
    public string Describe()
    {
        var scale = ScaleDenominator == 1 ? $"{ScaleNumerator}" : $"{ScaleNumerator}/{ScaleDenominator}";
        return $"discrete Laplace, scale {scale} (ε = {Epsilon.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})";
    }
}
