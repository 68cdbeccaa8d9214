using Comp.Api.Features.Bands.Engine;
using Comp.Statistics;
using Comp.Statistics.Privacy;

namespace Comp.Api.Features.Bands;

/// <summary>
/// The protected tier (for anonymous callers and keys without <c>exact</c>): every figure read from
/// a cell's noisy release (<see cref="ProtectedBand"/>), none from its exact values. The release is
/// made once per cell contents in one canonical form (USD, unaged, date bounds on whole quarters),
/// so equivalent requests (another currency, a reordered query, a group instead of a filter, a
/// compare segment, a trend period) read the same noise instead of drawing more.
/// </summary>
public sealed partial class BandService
{
    private async Task<BandResponse> GetProtectedAsync(BandQuery query, CancellationToken cancellationToken)
    {
        CheckEmployerSet(query);
        var version = await DatasetVersionAsync(cancellationToken);
        using var data = await store.GetAsync(Canonical(query), cancellationToken);
        CheckSize(data);
        var (scale, rate) = Scale(data.Fx, query.Currency);
        var cells = new List<BandCell>(data.Cells.Count);
        foreach (var values in data.Cells)
        {
            var (cell, rows) = ProtectedCell(values, query, scale);
            // Which groups hold data is itself private: a group appears only when its noisy figures pass.
            if (!cell.Suppressed || query.GroupBy.Count == 0)
                cells.Add(cell);
            meter.Count(rows);
        }
        return new BandResponse(Components.Name(query.Component), query.Currency, null, version,
            Methodology(DisclosureTier.Protected) + ProtectedWeighting(query.Weighting), cells)
        {
            Disclosure = Protection.Name(DisclosureTier.Protected),
            Conversion = ProtectedConversion(cells, rate),
            Interval = query.Interval,
        };
    }

    private async Task<BandResponse> CompareProtectedAsync(IReadOnlyList<(string Label, BandQuery Query)> segments, CancellationToken cancellationToken)
    {
        foreach (var (_, query) in segments)
            CheckEmployerSet(query);
        var version = await DatasetVersionAsync(cancellationToken);
        var cells = new List<BandCell>(segments.Count);
        RateUsed? rate = null;
        foreach (var (label, query) in segments)
        {
            using var data = await store.GetAsync(Canonical(query), cancellationToken);
            (var scale, rate) = Scale(data.Fx, query.Currency);
            var (cell, rows) = ProtectedCell(data.Cells.Single(), query, scale);
            cells.Add(cell with { Label = label });
            meter.Count(rows);
        }
        var first = segments[0].Query;
        return new BandResponse(Components.Name(first.Component), first.Currency, null, version,
            Methodology(DisclosureTier.Protected) + ProtectedWeighting(first.Weighting), cells)
        {
            Disclosure = Protection.Name(DisclosureTier.Protected),
            Conversion = ProtectedConversion(cells, rate),
        };
    }

    /// <summary>The canonical cut the noise applies to: USD, unaged, date bounds widened to whole quarters.</summary>
    private static BandQuery Canonical(BandQuery query) => query with
    {
        Currency = FxTable.Base,
        AgedTo = null,
        From = query.From is { } from ? Periods.QuarterStart(from) : null,
        To = query.To is { } to ? Periods.QuarterEnd(to) : null,
        Protected = true,
    };

    /// <summary>USD figures into the answer's currency at that currency's latest rate: a function of the release, no new draw.</summary>
    private static (double Scale, RateUsed? Rate) Scale(FxTable fx, string currency)
    {
        if (fx.Latest(currency) is not { } latest)
            throw new InvalidOperationException($"No FX rate for {currency}: the band options' validation lets only rated currencies through.");
        var rate = latest.Rate is { } r ? new RateUsed(r.Currency, Days.Date(r.Day), r.UsdPerUnit) : null;
        return (1 / latest.UsdPerUnit, rate);
    }

    /// <summary>
    /// A cell's protected figures, and the rows it charges the work budget (<see cref="Auth.WorkCost"/>):
    /// the noisy n it shows, none when suppressed. A company-weighted cell's n is its employers,
    /// which would undercharge the scan behind it, so it charges the noisy datapoint count of the
    /// cell's incumbent release instead: a draw any caller can read from the incumbent answer,
    /// never the exact count, which the budget headers would otherwise publish.
    /// </summary>
    private (BandCell Cell, int? Rows) ProtectedCell(CellValues values, BandQuery query, double scale)
    {
        var (figures, _) = query.Weighting == Weighting.Company
            ? ProtectedBand.ComputeCompanyWeighted(values.Span, values.Fingerprint, (int)query.Component,
                query.Percentiles, scale, rules.CurrentValue, protection.Parameters, protection.Prf)
            : ProtectedBand.Compute(values.Span, values.Counts, values.Fingerprint, (int)query.Component,
                query.CellsSpanEmployers, query.Percentiles, scale, rules.CurrentValue, protection.Parameters, protection.Prf);
        // The grade weighs the noisy n and employers; the data's age is exact data, so it is not weighed here.
        var confidence = figures.Suppressed ? null : Confidence.Grade(figures.Datapoints!.Value, figures.Employers!.Value, !query.CellsSpanEmployers, meanAgeYears: 0);
        var cell = new BandCell(values.Group, figures.Datapoints, figures.Employers, figures.Suppressed, figures.Reasons, figures.Percentiles)
        {
            Ci = figures.Ci,
            Confidence = confidence,
            EquityBases = figures.Suppressed || values.BasisCounts is not { } counts ? null : ProtectedBases(counts, values.Fingerprint),
        };
        var rows = figures.Suppressed ? null
            : query.Weighting == Weighting.Company
                ? (int)ProtectedBand.NoisyDatapoints(values.RowSpan, values.Fingerprint, (int)query.Component, protection.Parameters, protection.Prf)
                : figures.Datapoints;
        return (cell, rows);
    }

    /// <summary>
    /// A cell's counts per basis from their noisy release (every basis drawn, empty ones too): the
    /// noisy counts that reach the cell minimum, listed when two or more do.
    /// </summary>
    private Dictionary<string, int?>? ProtectedBases(int[] counts, ulong fingerprint)
    {
        var ordered = BasisOrder.Select(code => counts[code]).ToArray();
        var noisy = ProtectedBand.NoisyCategoryCounts(ordered, fingerprint, protection.Parameters, protection.Prf);
        var published = BasisOrder.Select((code, i) => (Name: BasisName(code), Count: noisy[i]))
            .Where(c => c.Count >= rules.CurrentValue.MinDatapoints).ToList();
        return published.Count < 2 ? null : published.ToDictionary(c => c.Name, c => (int?)c.Count);
    }

    /// <summary>The methodology's weighting clause in the protected tier: what a company-weighted cell's release is of.</summary>
    private static string ProtectedWeighting(Weighting weighting) =>
        "; " + Weightings.Describe(weighting) + (weighting == Weighting.Company
            ? "; protected company weighting: the noisy histogram released is of the employer medians (its own fixed draw, apart from the incumbent " +
              "release), n and employers are its noisy count, the employer minimum is decided on the exact employer count, and the work budget " +
              "is charged by the noisy datapoint count of the cell's incumbent release"
            : "");

    /// <summary>Only the answer currency's rate (public data); the rates of the values' own dates and the left-out counts would tell when and how much data a cut holds.</summary>
    private static ConversionInfo ProtectedConversion(IEnumerable<BandCell> cells, RateUsed? rate) =>
        new(rate is not null && cells.Any(c => !c.Suppressed) ? [rate] : [], []);

    public static string ProtectedMethodology(DisclosureRules rules, ProtectionParameters parameters) =>
        parameters.Describe() + "; " + rules.Describe() + ", applied to the noisy counts; a group whose noisy figures do not pass is left out" +
        "; date bounds widened to whole quarters; values in USD (" + FxTable.Rule + "), then at the answer currency's latest rate; " +
        "agedTo needs the exact tier; left-out counts not reported; ci: a 90% interval from the noisy histogram (sampling and noise variance), covering 88-95% by simulation from n = 100; confidence from the noisy n and employers, not data age; " +
        Vesting.Rule + "; the schedules in force are named in the exact tier only (which a cut holds is data; employers' defaults: GET /v1/employers/{slug}/vesting)";
}
