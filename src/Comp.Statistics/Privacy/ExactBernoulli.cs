namespace Comp.Statistics.Privacy;

/// <summary>
/// Bernoulli draws with exactly rational or exp(−rational) probabilities from uniform integers
/// only: no floating point touches a probability, so the sampled distribution is the stated one,
/// not a rounded neighbour of it (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for
/// Differential Privacy", §5.1).
/// </summary>
public static class ExactBernoulli
{
    /// <summary>
    /// True with probability exactly <paramref name="numerator"/>/<paramref name="denominator"/>
    /// (a uniform integer below the denominator is below the numerator). A certain outcome
    /// (numerator 0, or numerator ≥ denominator) reads nothing from the stream.
    /// </summary>
    public static bool Draw(PrfStream stream, ulong numerator, ulong denominator)
    {
        ArgumentOutOfRangeException.ThrowIfZero(denominator);
        if (numerator == 0)
            return false;
        if (numerator >= denominator)
            return true;
        return stream.NextBelow(denominator) < numerator;
    }

    /// <summary>
    /// True with probability exactly exp(−γ), γ = <paramref name="numerator"/>/<paramref name="denominator"/> ≥ 0:
    /// Algorithm 1 of Canonne, Kamath and Steinke (2020).
    /// For γ ≤ 1, draw A₁ ~ Bernoulli(γ/1), A₂ ~ Bernoulli(γ/2), … until the first failure, at draw K;
    /// the answer is whether K is odd. P(K > k) = γᵏ/k!, so P(K odd) = Σ (−γ)ᵏ/k! = exp(−γ).
    /// For γ &gt; 1, exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)): ⌊γ⌋ draws at γ = 1 and one at the
    /// fractional part, stopping at the first failure.
    /// </summary>
    public static bool ExpMinus(PrfStream stream, ulong numerator, ulong denominator)
    {
        ArgumentOutOfRangeException.ThrowIfZero(denominator);
        if (numerator <= denominator)
        {
            ulong k = 1;
            while (Draw(stream, numerator, checked(denominator * k)))
                k++;
            return k % 2 == 1;
        }
        for (var whole = numerator / denominator; whole > 0; whole--)
        {
            if (!ExpMinus(stream, 1, 1))
                return false;
        }
        return ExpMinus(stream, numerator % denominator, denominator);
    }
}
