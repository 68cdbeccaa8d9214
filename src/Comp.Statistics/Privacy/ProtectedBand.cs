namespace Comp.Statistics.Privacy;

/// <summary>
/// The public parameters of the protected tier: the release of a cell's values
/// (<see cref="CdfParameters"/>) and the noise on its employer counts.
/// </summary>
public sealed record ProtectionParameters
{
    public CdfParameters Cdf { get; init; } = CdfParameters.Default;

    /// <summary>
    /// The noise on a multi-employer cell's published employer count: one datapoint more or less
    /// changes it by at most 1.
    /// </summary>
    public DiscreteLaplace CountNoise { get; init; } = DiscreteLaplace.WithEpsilon(1, 2);

    /// <summary>
    /// The noise on a cell's counts per equity basis (unknown included): one datapoint more or
    /// less changes one of them by 1, so the whole vector costs this noise's ε once.
    /// </summary>
    public DiscreteLaplace BasisNoise { get; init; } = DiscreteLaplace.WithEpsilon(1, 1);

    public static ProtectionParameters Default { get; } = new();

    /// <summary>
    /// ε of one cell's protected figures: the histogram's, plus the employer count's when the cell
    /// spans employers, plus the counts per basis' when the cell may mix bases.
    /// </summary>
    public double EpsilonPerCell(bool spansEmployers, bool basisCounts = false) =>
        Cdf.Noise.Epsilon + (spansEmployers ? CountNoise.Epsilon : 0) + (basisCounts ? BasisNoise.Epsilon : 0);

    /// <summary>For methodology text.</summary>
    public string Describe() =>
        $"protected: differential privacy per cell, {Cdf.Describe()}; n and percentiles, ci and position read from that noisy histogram; " +
        $"a multi-employer cell's employer count with {CountNoise.Describe()} (at least the employer minimum once published); " +
        $"a cell's counts per equity basis with {BasisNoise.Describe()} each, published from the cell minimum on, when two or more reach it; " +
        $"ε per cell {EpsilonPerCell(false).ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
        $"({EpsilonPerCell(true).ToString(System.Globalization.CultureInfo.InvariantCulture)} when it spans employers, " +
        $"+ {BasisNoise.Epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture)} when it may mix equity bases), δ = 0; " +
        "noise fixed by the cell's contents under a secret key; the employer rules (employer minimum, largest share) decided on exact employer counts";
}

/// <summary>
/// A cell's figures in the protected tier: every number is read from noisy releases of the cell
/// (<see cref="NoisyCdf"/> and the noisy employer count), none from its exact values. The
/// datapoint thresholds of SPEC §2 apply to the noisy n. The employer rules, which protect
/// employers rather than one person, are decided on the exact employer counts: noised, a cell of
/// exactly five employers would be suppressed one time in two, and noise in a threshold protects
/// no employer. Whether a multi-employer cell passes can therefore hinge on one datapoint whose
/// employer has no other in the cell (stated in docs/privacy.md).
/// </summary>
public static class ProtectedBand
{
    /// <summary>The PRF purpose of the employer count's draw (the histogram's is <see cref="NoisyCdf.PrfPurpose"/>).</summary>
    public const int EmployersPurpose = 2;

    /// <summary>The PRF purpose of the draws on a cell's counts per equity basis.</summary>
    public const int BasesPurpose = 3;

    /// <summary>The PRF purpose of a company-weighted release's histogram (over employer medians).</summary>
    public const int CompanyPurpose = 4;

    /// <summary>
    /// A cell's counts per category (its datapoints by equity basis, every category given, empty
    /// ones included: which are empty is itself private), each plus a draw of
    /// <see cref="ProtectionParameters.BasisNoise"/> from the stream (fingerprint,
    /// <see cref="BasesPurpose"/>) in the order given, at least 0. Keyed by the contents only, as
    /// the employer count: the same for every component, currency and query reaching them.
    /// </summary>
    public static long[] NoisyCategoryCounts(ReadOnlySpan<int> counts, ulong fingerprint, ProtectionParameters parameters, Prf prf)
    {
        var stream = prf.Stream(fingerprint, BasesPurpose);
        var noisy = new long[counts.Length];
        for (var i = 0; i < counts.Length; i++)
            noisy[i] = Math.Max(0, counts[i] + parameters.BasisNoise.Sample(stream));
        return noisy;
    }

    /// <summary>
    /// Releases one cell and reads its figures.
    /// </summary>
    /// <param name="usdValues">The cell's values in the canonical form the noise applies to: USD, unaged.</param>
    /// <param name="exact">The cell's exact counts; only their noisy releases are published.</param>
    /// <param name="fingerprint">The cell's contents fingerprint: equal contents, equal noise.</param>
    /// <param name="component">The component's code: each component's histogram has its own noise.</param>
    /// <param name="scale">What a USD figure is multiplied by to publish it (the target currency's rate): no new draw.</param>
    public static (BandFigures Figures, NoisyCdf Release) Compute(
        ReadOnlySpan<double> usdValues,
        CellCounts exact,
        ulong fingerprint,
        int component,
        bool spansEmployers,
        IReadOnlyList<int> percentiles,
        double scale,
        DisclosureRules rules,
        ProtectionParameters parameters,
        Prf prf)
    {
        if (exact.Datapoints != usdValues.Length)
            throw new ArgumentException("The counts must describe the values given.", nameof(exact));
        var release = NoisyCdf.Release(parameters.Cdf.Grid.Histogram(usdValues), parameters.Cdf, prf, fingerprint, component);
        var n = (int)release.N;
        // The datapoint rules on the noisy n; the employer rules on the exact counts (see above).
        var reasons = Disclosure.SuppressionReasonsFor(new CellCounts(n, 0, 0), spansEmployers: false, rules)
            .Concat(spansEmployers
                ? Disclosure.SuppressionReasonsFor(exact, spansEmployers: true, rules).Where(r => r != SuppressionReasons.TooFewDatapoints)
                : [])
            .ToList();
        var employers = spansEmployers
            ? Math.Max(rules.MinEmployers, Noisy(exact.Employers, EmployersPurpose))
            : 1; // one employer by the query itself: nothing to hide
        return (Figures(release, reasons, employers, percentiles, scale, rules), release);

        // The count's draw is keyed by the contents and its purpose only: the same for every
        // component, currency and query that reaches these contents.
        int Noisy(int count, int purpose) =>
            (int)Math.Max(0, count + parameters.CountNoise.Sample(prf.Stream(fingerprint, purpose)));
    }

    /// <summary>
    /// Releases one company-weighted cell (<see cref="Weighting.Company"/>) and reads its figures.
    /// The histogram released is the employers' medians', so no median is published exactly. One
    /// datapoint more or less moves at most one median (or adds or removes it, when it is its
    /// employer's only one), which changes at most two bins by 1: the same sensitivity as changing
    /// one value of an incumbent release, so this release is 2ε per cell under add/remove-one
    /// (stated in docs/privacy.md). Its noise is its own (PRF purpose <see cref="CompanyPurpose"/>):
    /// a fixed draw per cell contents and component, apart from the incumbent release of the same
    /// cell. Its n is the noisy count of medians, and also the published employer count: one noisy
    /// figure for one quantity, rather than two independent ones a caller could average. The
    /// datapoint thresholds apply to that noisy n; the employer minimum to the exact employer count,
    /// as for incumbent cells; the largest-share rule does not apply (every employer weighs one).
    /// </summary>
    /// <param name="usdMedians">The employers' medians in the canonical form: USD, unaged.</param>
    /// <param name="fingerprint">The cell's contents fingerprint (its datapoints'): equal contents, equal noise.</param>
    public static (BandFigures Figures, NoisyCdf Release) ComputeCompanyWeighted(
        ReadOnlySpan<double> usdMedians,
        ulong fingerprint,
        int component,
        IReadOnlyList<int> percentiles,
        double scale,
        DisclosureRules rules,
        ProtectionParameters parameters,
        Prf prf)
    {
        var release = NoisyCdf.Release(parameters.Cdf.Grid.Histogram(usdMedians), parameters.Cdf, prf, fingerprint, component, CompanyPurpose);
        var n = (int)release.N;
        var employers = usdMedians.Length;
        var reasons = Disclosure.SuppressionReasonsFor(new CellCounts(n, 0, 0), spansEmployers: false, rules).ToList();
        if (employers < rules.MinEmployers)
            reasons.Add(SuppressionReasons.TooFewEmployers);
        return (Figures(release, reasons, n, percentiles, scale, rules), release);
    }

    /// <summary>
    /// The noisy datapoint count of a cell's incumbent release (<see cref="Compute"/>'s n, before
    /// any rule): what a protected company-weighted cell charges the caller's work budget by. It is
    /// the same draw an incumbent request for the cell reads, so the charge tells nothing that
    /// release does not (post-processing, no further ε).
    /// </summary>
    public static long NoisyDatapoints(ReadOnlySpan<double> usdValues, ulong fingerprint, int component, ProtectionParameters parameters, Prf prf) =>
        NoisyCdf.Release(parameters.Cdf.Grid.Histogram(usdValues), parameters.Cdf, prf, fingerprint, component).N;

    /// <summary>The figures read from a release, or the suppressed cell when there are reasons or nothing survived the threshold.</summary>
    private static BandFigures Figures(NoisyCdf release, List<string> reasons, int employers, IReadOnlyList<int> percentiles, double scale, DisclosureRules rules)
    {
        var n = (int)release.N;
        if (reasons.Count > 0 || release.IsEmpty)
            return new BandFigures(true, reasons.Count > 0 ? reasons : [SuppressionReasons.TooFewDatapoints], null, null, null);

        var published = new Dictionary<string, decimal?>(percentiles.Count);
        var intervals = new Dictionary<string, Interval>(percentiles.Count);
        foreach (var p in percentiles)
        {
            decimal? figure = null;
            if (Disclosure.MayPublishPercentile(p, n, rules))
            {
                figure = Round(release.Quantile(p / 100.0) * scale);
                var (lower, upper) = release.Interval(p / 100.0);
                intervals[Percentiles.Key(p)] = new Interval(lower is { } l ? Round(l * scale) : null, upper is { } u ? Round(u * scale) : null);
            }
            published[Percentiles.Key(p)] = figure;
        }
        return new BandFigures(false, [], n, employers, published) { Ci = intervals };
    }

    private static decimal? Round(double value) => Percentiles.CanRound(value) ? Percentiles.Round(value) : null;
}
