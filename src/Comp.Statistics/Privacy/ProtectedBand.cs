namespace Comp.Statistics.Privacy;

/// <summary>
/// The public parameters of the protected tier: the release of a cell's values
/// (<see cref="CdfParameters"/>) and the noise on its employer counts.
/// </summary>
public sealed record ProtectionParameters
{
    public CdfParameters Cdf { get; init; } = CdfParameters.Default;

    /// <summary>
    /// The noise on each of a multi-employer cell's two employer counts (how many employers, and
    /// the largest employer's datapoints): one datapoint more or less changes each by at most 1.
    /// </summary>
    public DiscreteLaplace CountNoise { get; init; } = DiscreteLaplace.WithEpsilon(1, 2);

    public static ProtectionParameters Default { get; } = new();

    /// <summary>ε of one cell's protected figures: the histogram's, plus both employer counts' when the cell spans employers.</summary>
    public double EpsilonPerCell(bool spansEmployers) => Cdf.Noise.Epsilon + (spansEmployers ? 2 * CountNoise.Epsilon : 0);

    /// <summary>For methodology text.</summary>
    public string Describe() =>
        $"protected: differential privacy per cell, {Cdf.Describe()}; n and percentiles, ci and position read from that noisy histogram; " +
        $"a multi-employer cell's employers and largest employer's datapoints each with {CountNoise.Describe()}; " +
        $"ε per cell {EpsilonPerCell(false).ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
        $"({EpsilonPerCell(true).ToString(System.Globalization.CultureInfo.InvariantCulture)} when it spans employers), δ = 0; " +
        "noise fixed by the cell's contents under a secret key";
}

/// <summary>
/// A cell's figures in the protected tier: every number is read from noisy releases of the cell
/// (<see cref="NoisyCdf"/> and the noisy employer counts), none from its exact values. The
/// disclosure rules of SPEC §2 apply to the noisy counts, so suppression itself reveals nothing
/// the release does not.
/// </summary>
public static class ProtectedBand
{
    /// <summary>The PRF purposes of the employer counts' draws (the histogram's is <see cref="NoisyCdf.PrfPurpose"/>).</summary>
    public const int EmployersPurpose = 2, LargestEmployerPurpose = 3;

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
        var counts = spansEmployers
            ? new CellCounts(n, Noisy(exact.Employers, EmployersPurpose), Noisy(exact.LargestEmployerDatapoints, LargestEmployerPurpose))
            : new CellCounts(n, n > 0 ? 1 : 0, n); // one employer by the query itself: nothing to hide
        var reasons = Disclosure.SuppressionReasonsFor(counts, spansEmployers, rules);
        if (reasons.Count > 0 || release.IsEmpty)
            return (new BandFigures(true, reasons.Count > 0 ? reasons : [SuppressionReasons.TooFewDatapoints], null, null, null), release);

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
        return (new BandFigures(false, [], n, counts.Employers, published) { Ci = intervals }, release);

        // Each count's draw is keyed by the contents and its purpose only: the same for every
        // component, currency and query that reaches these contents.
        int Noisy(int count, int purpose) =>
            (int)Math.Max(0, count + parameters.CountNoise.Sample(prf.Stream(fingerprint, purpose)));
    }

    private static decimal? Round(double value) => Percentiles.CanRound(value) ? Percentiles.Round(value) : null;
}
