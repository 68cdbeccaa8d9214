using System.Diagnostics;

namespace Comp.Benchmarks;

/// <summary>Issue 14's cost bar: one cut's latency in the exact tier next to the protected tier's.</summary>
public sealed record TierCost(string Name, int Requests, LatencyStats? Exact, LatencyStats? Protected, string? Note)
{
    /// <summary>Protected median over exact median (the bar: at most 1.2).</summary>
    public double? Ratio => Exact is { } e && Protected is { } p && e.MedianMs > 0 ? p.MedianMs / e.MedianMs : null;
}

public sealed partial class Bench
{
    /// <summary>
    /// The two disclosure tiers side by side (issue 14): for each cut, requests alternate between the
    /// run's admin key (exact) and a <c>read</c> key made for the run (protected), one at a time, the
    /// same query and percentiles, until <see cref="Options.P99Requests"/> pairs or
    /// <see cref="Options.P99Seconds"/> have passed. Aged cuts are exact-only (the protected tier refuses agedTo).
    /// </summary>
    public async Task TiersAsync(IReadOnlyList<Cut> cuts, CancellationToken ct)
    {
        var exact = MeasuringClient(http, options.Key!);
        var key = await exact.CreateKeyAsync("benchmark protected tier", ["read"], ct);
        var protectedTier = MeasuringClient(http, key.Key);
        Say($"== tiers: {cuts.Count} cuts, exact (admin key) and protected (read key) alternating, up to {options.P99Requests} pairs or {options.P99Seconds} s each ==");
        List<int> percentiles = [10, 25, 50, 75, 90];
        foreach (var cut in cuts)
        {
            if (cut.AgedTo is not null)
            {
                results.Tiers.Add(new TierCost(cut.Name, 0, null, null, "agedTo: exact tier only"));
                continue;
            }
            await TimeApiAsync(exact, cut, percentiles, ct);
            await TimeApiAsync(protectedTier, cut, percentiles, ct);
            var (e, p) = (new List<double>(), new List<double>());
            var budget = Stopwatch.StartNew();
            while (e.Count < options.P99Requests && (budget.Elapsed.TotalSeconds < options.P99Seconds || e.Count < options.MinApiRuns))
            {
                e.Add((await TimeApiAsync(exact, cut, percentiles, ct)).Item2);
                p.Add((await TimeApiAsync(protectedTier, cut, percentiles, ct)).Item2);
            }
            var cost = new TierCost(cut.Name, e.Count, LatencyStats.Of(e), LatencyStats.Of(p), null);
            results.Tiers.Add(cost);
            Say($"  {cut.Name,-36} {e.Count,5} pairs  exact p50 {Ms(cost.Exact!.MedianMs)}  protected p50 {Ms(cost.Protected!.MedianMs)}  ratio {cost.Ratio:0.00}");
        }
    }
}
