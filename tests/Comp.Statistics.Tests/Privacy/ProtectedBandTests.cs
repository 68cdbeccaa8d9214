using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

public class ProtectedBandTests
{
    private static readonly Prf Key = new("protected band tests key 0123456789"u8);

    /// <summary>200 values from 100,000 to 199,500 in steps of 500.</summary>
    private static double[] Values() => [.. Enumerable.Range(0, 200).Select(i => 100_000.0 + 500 * i)];

    private static BandFigures Compute(CellCounts counts, bool spansEmployers, ulong fingerprint = 42, double scale = 1) =>
        ProtectedBand.Compute(Values(), counts, fingerprint, component: 0, spansEmployers, Percentiles.Default, scale,
            DisclosureRules.Default, ProtectionParameters.Default, Key).Figures;

    [Fact]
    public void The_same_contents_give_the_same_figures_and_another_currency_is_the_same_release_scaled()
    {
        var usd = Compute(new CellCounts(200, 1, 200), spansEmployers: false);
        Assert.Equal(usd.Percentiles, Compute(new CellCounts(200, 1, 200), spansEmployers: false).Percentiles);
        var eur = Compute(new CellCounts(200, 1, 200), spansEmployers: false, scale: 0.5);
        foreach (var (key, value) in usd.Percentiles!)
            Assert.InRange(eur.Percentiles![key]!.Value, value!.Value / 2 - 0.01m, value.Value / 2 + 0.01m);
        // Other contents (another fingerprint) draw other noise.
        Assert.NotEqual(usd.Percentiles, Compute(new CellCounts(200, 1, 200), spansEmployers: false, fingerprint: 43).Percentiles);
    }

    [Fact]
    public void The_employer_rules_are_decided_on_exact_counts_and_the_published_count_is_at_least_the_minimum()
    {
        Assert.Equal([SuppressionReasons.TooFewEmployers], Compute(new CellCounts(200, 4, 50), spansEmployers: true).Reasons);
        Assert.Equal([SuppressionReasons.EmployerDominance], Compute(new CellCounts(200, 8, 51), spansEmployers: true).Reasons);
        var published = Compute(new CellCounts(200, 5, 50), spansEmployers: true);
        Assert.False(published.Suppressed);
        Assert.True(published.Employers >= 5);
        // The p50 of 100,000 … 199,500 is 149,750; the protected one is within a few percent at n = 200.
        Assert.InRange(published.Percentiles!["p50"]!.Value, 149_750m * 0.95m, 149_750m * 1.05m);
    }
}
