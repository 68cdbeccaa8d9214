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

public class CompanyWeightedReleaseTests
{
    private static readonly Prf Key = new("protected band tests key 0123456789"u8);

    /// <summary>40 "medians" from 100,000 to 178,000 in steps of 2,000.</summary>
    private static double[] Medians() => [.. Enumerable.Range(0, 40).Select(i => 100_000.0 + 2_000 * i)];

    private static (BandFigures Figures, NoisyCdf Release) Company(double[] medians, ulong fingerprint = 42, DisclosureRules? rules = null) =>
        ProtectedBand.ComputeCompanyWeighted(medians, fingerprint, component: 0, Percentiles.Default, scale: 1,
            rules ?? DisclosureRules.Default, ProtectionParameters.Default, Key);

    [Fact]
    public void A_company_release_is_a_fixed_draw_of_its_own_apart_from_the_incumbent_release_of_the_same_contents()
    {
        var company = Company(Medians());
        Assert.Equal(company.Release.Counts.ToArray(), Company(Medians()).Release.Counts.ToArray());
        // The incumbent release of the same values under the same fingerprint draws other noise.
        var incumbent = NoisyCdf.NoisyCounts(ProtectionParameters.Default.Cdf.Grid.Histogram(Medians()), ProtectionParameters.Default.Cdf.Noise, Key, 42, 0);
        var own = NoisyCdf.NoisyCounts(ProtectionParameters.Default.Cdf.Grid.Histogram(Medians()), ProtectionParameters.Default.Cdf.Noise, Key, 42, 0, ProtectedBand.CompanyPurpose);
        Assert.NotEqual(incumbent, own);
        // n and employers are one noisy figure, the count of medians.
        Assert.False(company.Figures.Suppressed);
        Assert.Equal(company.Figures.Datapoints, company.Figures.Employers);
        Assert.Equal((int)company.Release.N, company.Figures.Datapoints);
    }

    [Fact]
    public void The_employer_minimum_is_decided_on_the_exact_count_of_medians_and_no_employer_dominates()
    {
        Assert.Equal([SuppressionReasons.TooFewEmployers], Company(Medians(), rules: DisclosureRules.Default with { MinEmployers = 41 }).Figures.Reasons);
        // A share rule that would fail every incumbent cell of 40 employers does not touch a company-weighted one.
        Assert.False(Company(Medians(), rules: DisclosureRules.Default with { MaxEmployerShare = 0.01 }).Figures.Suppressed);
    }
}

public class EmployerMedianTests
{
    [Fact]
    public void Each_employer_gets_its_type_7_median_in_order_of_first_appearance()
    {
        // Employer 3: 10, 30, 20 → 20. Employer 0: 5, 1 → 3. Employer 7: 100 → 100. Employer 1: 4, 1, 2, 8 → 3 (h = 1.5).
        double[] values = [10, 5, 30, 100, 1, 4, 1, 2, 20, 8];
        int[] employers = [3, 0, 3, 7, 0, 1, 1, 1, 3, 1];
        var slots = new int[8];
        var medians = new double[4];
        var count = Weightings.EmployerMedians(values, employers, slots, new double[values.Length], new int[values.Length], medians);
        Assert.Equal(4, count);
        Assert.Equal([20.0, 3.0, 100.0, 3.0], medians);
        Assert.All(slots, s => Assert.Equal(0, s));
        Assert.Equal(2.5, Weightings.Median([4.0, 1.0, 3.0, 2.0]));
    }

    [Theory]
    [InlineData("", Weighting.Incumbent)]
    [InlineData("incumbent", Weighting.Incumbent)]
    [InlineData("company", Weighting.Company)]
    public void Weightings_parse_their_wire_names(string text, Weighting expected)
    {
        Assert.True(Weightings.TryParse(text, out var weighting));
        Assert.Equal(expected, weighting);
        Assert.False(Weightings.TryParse("Company", out _));
    }
}
