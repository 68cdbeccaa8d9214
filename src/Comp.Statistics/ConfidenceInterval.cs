namespace Comp.Statistics;

/// <summary>
/// Distribution-free confidence intervals for a percentile from order statistics. The number of
/// datapoints below the true percentile ξ_p is Binomial(n, p), so for 1-based ranks l &lt; u,
/// P(x₍l₎ ≤ ξ_p ≤ x₍u₎) ≥ F(u−1) − F(l−1), F the binomial CDF. The ranks are the tightest that keep
/// at most (1 − level)/2 on each side: no resampling, and coverage holds whatever the distribution.
/// </summary>
public static class ConfidenceInterval
{
    /// <summary>The confidence level Comp publishes.</summary>
    public const double Level = 0.90;

    /// <summary>Above this many datapoints the binomial CDF is replaced by its normal approximation.</summary>
    private const int ExactLimit = 200_000;

    /// <summary>
    /// The 1-based ranks of the order statistics bounding percentile <paramref name="fraction"/>
    /// at <paramref name="level"/>; null where no order statistic can bound it (too few datapoints
    /// on that side).
    /// </summary>
    public static (int? Lower, int? Upper) Ranks(int n, double fraction, double level = Level)
    {
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), n, "An interval needs at least one datapoint.");
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction lies strictly between 0 and 1.");
        var tail = (1 - level) / 2;
        return n <= ExactLimit ? ExactRanks(n, fraction, tail) : NormalRanks(n, fraction, level);
    }

    // A binomial term below e^−50 ≈ 2e−22 of the mode's cannot move a CDF across a tail by more
    // than the comparison's slack; only the O(√n) terms within about 10 standard deviations of the
    // mode are above it.
    private static readonly double Negligible = Math.Exp(-50);

    private static (int? Lower, int? Upper) ExactRanks(int n, double p, double tail)
    {
        // Weights relative to the mode, w(k) = P(B = k) / P(B = mode), by the ratio of neighbouring
        // terms: w(k+1) = w(k)·(n−k)/(k+1)·p/(1−p). Plain products: none underflows above the cutoff.
        var odds = p / (1 - p);
        var mode = Math.Min(n, (int)Math.Floor((n + 1) * p));
        var total = 1.0;
        var first = mode;
        var firstWeight = 1.0;
        for (var weight = 1.0; first > 0; first--)
        {
            weight *= first / ((n - first + 1) * odds);
            if (weight < Negligible)
                break;
            firstWeight = weight;
            total += weight;
        }
        for (var (k, weight) = (mode, 1.0); k < n; k++)
        {
            weight *= (double)(n - k) / (k + 1) * odds;
            if (weight < Negligible)
                break;
            total += weight;
        }

        // F(k) = P(B ≤ k), accumulated from the window's first term; left of it F is negligible.
        // Lower: the largest l ≥ 1 with F(l−1) ≤ tail. Upper: the smallest u ≤ n with F(u−1) ≥ 1 − tail.
        // The slack keeps a CDF exactly on the tail (F = 0.05 when (1 − 0.9) / 2 is 0.04999…) inside.
        const double slack = 1e-12;
        // Every l ≤ first has F(l−1) within the negligible terms left of the window: inside the tail.
        int? lower = first >= 1 ? first : null;
        // F reaches 1 by the window's last term, so the loop finds the upper rank unless it is n + 1 (none).
        int? upper = null;
        var cumulative = 0.0;
        for (var (k, weight) = (first, firstWeight); k < n; k++)
        {
            cumulative += weight;
            var cdf = cumulative / total;
            if (cdf <= tail + slack)
                lower = k + 1;
            if (cdf >= 1 - tail - slack)
            {
                upper = k + 1;
                break;
            }
            weight *= (double)(n - k) / (k + 1) * odds;
        }
        return (lower, upper);
    }

    private static (int? Lower, int? Upper) NormalRanks(int n, double p, double level)
    {
        var z = Normal.InverseCdf(1 - (1 - level) / 2);
        var spread = z * Math.Sqrt(n * p * (1 - p));
        var lower = (int)Math.Floor(n * p - spread);
        var upper = (int)Math.Ceiling(n * p + spread) + 1;
        return (lower >= 1 ? lower : null, upper <= n ? upper : null);
    }
}
