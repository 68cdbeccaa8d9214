namespace Comp.Statistics.Tests;

/// <summary>
/// The exact binomial ranks as ConfidenceInterval computed them up to commit 3418d1d, before the
/// windowed version: the whole pmf and CDF of n + 1 terms. Kept verbatim (O(n) per call) as the
/// oracle the faster version must match rank for rank; do not "fix" it.
/// </summary>
internal static class ReferenceExactRanks
{
    public static (int? Lower, int? Upper) ExactRanks(int n, double p, double tail)
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
}
