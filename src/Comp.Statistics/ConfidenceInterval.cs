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

    private static (int? Lower, int? Upper) ExactRanks(int n, double p, double tail)
    {
        // cdf[k] = P(B ≤ k), from the pmf computed in log space (no underflow at large n).
        var logPmf = new double[n + 1];
        logPmf[0] = n * Math.Log(1 - p);
        var ratio = Math.Log(p) - Math.Log(1 - p);
        var max = logPmf[0];
        for (var k = 0; k < n; k++)
        {
            logPmf[k + 1] = logPmf[k] + Math.Log(n - k) - Math.Log(k + 1) + ratio;
            max = Math.Max(max, logPmf[k + 1]);
        }
        var cdf = new double[n + 1];
        var total = 0.0;
        for (var k = 0; k <= n; k++)
        {
            total += Math.Exp(logPmf[k] - max);
            cdf[k] = total;
        }
        for (var k = 0; k <= n; k++)
            cdf[k] /= total;

        // Lower: the largest l ≥ 1 with F(l−1) ≤ tail. Upper: the smallest u ≤ n with F(u−1) ≥ 1 − tail.
        // The slack keeps a CDF exactly on the tail (F = 0.05 when (1 − 0.9) / 2 is 0.04999…) inside.
        const double slack = 1e-12;
        int? lower = null;
        for (var l = 1; l <= n && cdf[l - 1] <= tail + slack; l++)
            lower = l;
        int? upper = null;
        for (var u = n; u >= 1 && cdf[u - 1] >= 1 - tail - slack; u--)
            upper = u;
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
