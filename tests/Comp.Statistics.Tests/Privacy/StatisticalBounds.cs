using System.Security.Cryptography;

namespace Comp.Statistics.Tests.Privacy;

/// <summary>
/// Rigorous tail bounds for the sampler tests: each test that draws fresh randomness fails by
/// chance with probability below its stated δ (union bounds over everything it checks), so a
/// failure means a defect, not bad luck. The key is drawn per run and printed in every message.
/// </summary>
internal static class StatisticalBounds
{
    /// <summary>A fresh random PRF key, and its hex for failure messages.</summary>
    public static (byte[] Key, string Hex) FreshKey()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return (key, Convert.ToHexString(key));
    }

    /// <summary>
    /// Bernstein: a count X ~ Binomial(trials, p) has P(|X − trials·p| ≥ a) ≤ δ for the a returned,
    /// from P(|X − np| ≥ a) ≤ 2·exp(−a² / (2(np(1−p) + a/3))).
    /// </summary>
    public static double BinomialDeviation(long trials, double p, double delta)
    {
        var log = Math.Log(2 / delta);
        var variance = trials * p * (1 - p);
        return log / 3 + Math.Sqrt(log * log / 9 + 2 * variance * log);
    }

    /// <summary>
    /// Hoeffding for a fair split: of m draws each on one side with probability 1/2, one side's
    /// count is m/2 ± a except with probability δ, a = √(m·ln(2/δ)/2).
    /// </summary>
    public static double FairSplitDeviation(long m, double delta) => Math.Sqrt(m * Math.Log(2 / delta) / 2);

    /// <summary>
    /// Chernoff for a sum of <paramref name="draws"/> independent discrete Laplace variables with
    /// decay q = e^−ε: P(|S| ≥ a) ≤ 2·min_λ exp(draws·ln M(λ) − λa), M(λ) = (1−q)²/((1−qe^λ)(1−qe^−λ))
    /// for 0 &lt; λ &lt; ε. Any λ gives a valid bound, so a grid of them does; a is found by bisection.
    /// </summary>
    public static double LaplaceSumDeviation(long draws, double epsilon, double delta)
    {
        var q = Math.Exp(-epsilon);
        double LogBound(double a)
        {
            var best = 0.0;
            for (var i = 1; i < 2000; i++)
            {
                var lambda = epsilon * i / 2000;
                var logM = 2 * Math.Log(1 - q) - Math.Log(1 - q * Math.Exp(lambda)) - Math.Log(1 - q * Math.Exp(-lambda));
                best = Math.Min(best, draws * logM - lambda * a);
            }
            return Math.Log(2) + best;
        }
        double lo = 0, hi = draws;
        for (var i = 0; i < 100; i++)
        {
            var mid = (lo + hi) / 2;
            if (LogBound(mid) <= Math.Log(delta))
                hi = mid;
            else
                lo = mid;
        }
        return hi;
    }
}
