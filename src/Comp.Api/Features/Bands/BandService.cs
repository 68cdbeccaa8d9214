using System.Globalization;
using Comp.Api.Auth;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Comp.Statistics.Privacy;
using Microsoft.Extensions.Options;

namespace Comp.Api.Features.Bands;

/// <summary>The one road every band answer travels: store → disclosure and percentiles → response.</summary>
public sealed partial class BandService(
    IBandStore store,
    IOptionsMonitor<DisclosureRules> rules,
    IOptionsMonitor<AgingOptions> aging,
    IOptionsMonitor<BandLimits> limits,
    Protection protection,
    WorkMeter meter,
    TimeProvider clock)
{
    public async Task<BandResponse> GetAsync(BandQuery query, DisclosureTier tier, CancellationToken cancellationToken)
    {
        if (tier == DisclosureTier.Protected)
            return await GetProtectedAsync(query, cancellationToken);
        var version = await DatasetVersionAsync(cancellationToken);
        using var data = await store.GetAsync(query, cancellationToken);
        CheckSize(data);
        var cells = data.Cells.Select(c => (Values: c, Published: ToCell(c, query))).ToList();
        Charge(cells, query);
        return new BandResponse(Components.Name(query.Component), query.Currency, query.AgedTo, version,
            Methodology(DisclosureTier.Exact) + "; " + Weightings.Describe(query.Weighting) + VestingInForce(cells, query), cells.Select(c => c.Published).ToList())
        {
            Disclosure = Protection.Name(DisclosureTier.Exact),
            Conversion = Conversion(cells, data.LeftOut, query.Currency),
            Aging = AgingOf(query),
            Interval = query.Interval,
        };
    }

    /// <summary>One cell per segment, side by side, in request order; each segment is its own single-cell band query.</summary>
    public async Task<BandResponse> CompareAsync(IReadOnlyList<(string Label, BandQuery Query)> segments, DisclosureTier tier, CancellationToken cancellationToken)
    {
        if (tier == DisclosureTier.Protected)
            return await CompareProtectedAsync(segments, cancellationToken);
        var version = await DatasetVersionAsync(cancellationToken);
        var cells = new List<(CellValues Values, BandCell Published)>(segments.Count);
        var leftOut = new Dictionary<string, int>();
        foreach (var (label, query) in segments)
        {
            using var data = await store.GetAsync(query, cancellationToken);
            var cell = data.Cells.Single();
            cells.Add((cell, ToCell(cell, query) with { Label = label }));
            foreach (var (currency, count) in data.LeftOut)
                leftOut[currency] = leftOut.GetValueOrDefault(currency) + count;
        }
        var first = segments[0].Query;
        Charge(cells, first);
        return new BandResponse(Components.Name(first.Component), first.Currency, first.AgedTo, version,
            Methodology(DisclosureTier.Exact) + "; " + Weightings.Describe(first.Weighting) + VestingInForce(cells, first), cells.Select(c => c.Published).ToList())
        {
            Disclosure = Protection.Name(DisclosureTier.Exact),
            Conversion = Conversion(cells, leftOut, first.Currency),
            Aging = AgingOf(first),
        };
    }

    /// <summary>The rank of an amount on the cell's own published grid (5, 10, …, 95).</summary>
    public async Task<PositionResponse> PositionAsync(BandQuery query, decimal amount, DisclosureTier tier, CancellationToken cancellationToken)
    {
        var grid = query with { Percentiles = Statistics.Position.Grid };
        var band = await GetAsync(grid, tier, cancellationToken);
        var cell = band.Cells.Single();
        var published = cell.Percentiles is null
            ? []
            : Statistics.Position.Grid.Where(p => cell.Percentiles[Percentiles.Key(p)] is not null)
                .Select(p => (p, cell.Percentiles[Percentiles.Key(p)]!.Value)).ToList();
        var (rank, bound) = Statistics.Position.Of(amount, published);
        return new PositionResponse(amount, band.Component, band.Currency, band.AgedTo, band.DatasetVersion, band.Methodology, rank, bound, cell)
        {
            Disclosure = band.Disclosure,
            Conversion = band.Conversion,
            Aging = band.Aging,
        };
    }

    /// <summary>
    /// The rates behind published cells only (a suppressed cell's rate dates would tell when its
    /// data is from), and the left-out counts, each withheld below the disclosure minimum.
    /// </summary>
    private ConversionInfo Conversion(IEnumerable<(CellValues Values, BandCell Published)> cells, IReadOnlyDictionary<string, int> leftOut, string currency)
    {
        var minimum = rules.CurrentValue.MinDatapoints;
        var rates = cells.Where(c => !c.Published.Suppressed).SelectMany(c => c.Values.Rates).Distinct()
            .OrderBy(r => r.Currency, StringComparer.Ordinal).ThenBy(r => r.Date).ToList();
        var left = leftOut.OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => Disclosure.PublishedCount(l.Value, rules.CurrentValue) is { } count
                ? new LeftOut(l.Key, count, $"no FX rate between {l.Key} and {currency}")
                : new LeftOut(l.Key, null, $"no FX rate between {l.Key} and {currency}; fewer than {minimum} datapoints, count withheld"))
            .ToList();
        return new ConversionInfo(rates, left);
    }

    private BandCell ToCell(CellValues cell, BandQuery query)
    {
        var figures = Band.ComputeUnsorted(cell.Span, cell.Counts, query.CellsSpanEmployers, query.Percentiles, RulesFor(query));
        string? confidence = null;
        if (!figures.Suppressed && cell.MeanEffectiveDate is { } mean)
        {
            var ageYears = Days.Years(mean, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            confidence = Confidence.Grade(cell.Counts.Datapoints, cell.Counts.Employers, !query.CellsSpanEmployers, ageYears);
        }
        return new BandCell(cell.Group, figures.Datapoints, figures.Employers, figures.Suppressed, figures.Reasons, figures.Percentiles)
        {
            Ci = figures.Ci,
            Confidence = confidence,
            EquityBases = figures.Suppressed || cell.BasisCounts is not { } counts || counts.Count(c => c > 0) < 2
                ? null
                : Disclosure.PublishedCounts(BasisOrder.Select(code => (BasisName(code), counts[code])).Where(c => c.Item2 > 0).ToList(), rules.CurrentValue)
                    .ToDictionary(c => c.Name, c => c.Count),
        };
    }

    /// <summary>The order a cell's counts per basis are listed in: the bases as SPEC §1 lists them, then unknown.</summary>
    private static readonly int[] BasisOrder = [.. Enumerable.Range(1, EquityBases.All.Count), 0];

    private static string BasisName(int code) => EquityBases.Name(code) ?? EquityBases.Unknown;

    /// <summary>
    /// For yearK in the exact tier: the schedules the published cells' grants vest by (a suppressed
    /// cell's would tell what it hides), for the methodology. Empty for other components.
    /// </summary>
    private static string VestingInForce(IEnumerable<(CellValues Values, BandCell Published)> cells, BandQuery query)
    {
        if (Components.YearOf(query.Component) == 0)
            return "";
        var published = cells.Where(c => !c.Published.Suppressed).Select(c => c.Values).ToList();
        static string List(IEnumerable<string> schedules) =>
            schedules.Distinct().Order(StringComparer.Ordinal).DefaultIfEmpty("none").Aggregate((a, b) => a + ", " + b);
        return $"; vesting in force: equity {List(published.SelectMany(c => c.EquityVesting))}; retention {List(published.SelectMany(c => c.RetentionVesting))}";
    }

    /// <summary>
    /// Refuses an answer of more cells than <see cref="BandLimits.MaxCells"/> with a 400 naming
    /// <c>groupBy</c>. It says only that the limit is passed, not by how much: in the protected
    /// tier the number of groups holding data is itself private.
    /// </summary>
    private void CheckSize(BandData data)
    {
        var max = limits.CurrentValue.MaxCells;
        if (data.Cells.Count > max)
            throw new ProblemException(StatusCodes.Status400BadRequest, "The answer is too large.", new Dictionary<string, string[]>
            {
                ["groupBy"] = [string.Create(CultureInfo.InvariantCulture,
                    $"The answer would have more than {max:N0} cells (Bands:MaxCells). Group by fewer keys, or narrow the cut with filters (employer, role, level, region, from, to).")],
            });
    }

    /// <summary>
    /// Notes the rows the published exact cells count, for the caller's work budget
    /// (<see cref="WorkCost"/>): the n it is shown, or for a company-weighted cell, whose n is its
    /// employers, the datapoints scanned for their medians (which the exact tier may know).
    /// </summary>
    private void Charge(IEnumerable<(CellValues Values, BandCell Published)> cells, BandQuery query)
    {
        foreach (var (values, published) in cells)
            meter.Count(published.Suppressed ? null : query.Weighting == Weighting.Company ? values.Rows : published.N);
    }

    /// <summary>The disclosure rules a query's cells are judged by (<see cref="Weightings.CompanyRules"/> for company weighting: a small copy, made per cell only for those).</summary>
    private DisclosureRules RulesFor(BandQuery query) =>
        query.Weighting == Weighting.Company ? Weightings.CompanyRules(rules.CurrentValue) : rules.CurrentValue;

    private AgingInfo? AgingOf(BandQuery query) =>
        query.AgedTo is { } agedTo ? new AgingInfo(agedTo, aging.CurrentValue.AnnualRate) : null;

    /// <summary>The rules in force for a tier, for responses and ETags; the text is made again only when the options change.</summary>
    public string Methodology(DisclosureTier tier)
    {
        var (disclosure, rate) = (rules.CurrentValue, aging.CurrentValue.AnnualRate);
        var memo = tier == DisclosureTier.Exact ? exactText : protectedText;
        if (memo is { } m && ReferenceEquals(m.Rules, disclosure) && m.Rate == rate && ReferenceEquals(m.Parameters, protection.Parameters))
            return m.Text;
        var text = tier == DisclosureTier.Exact ? Methodology(disclosure, rate) : ProtectedMethodology(disclosure, protection.Parameters);
        memo = new MethodologyText(disclosure, rate, protection.Parameters, text);
        if (tier == DisclosureTier.Exact)
            exactText = memo;
        else
            protectedText = memo;
        return text;
    }

    /// <summary>A SHA-256 of <see cref="Methodology(DisclosureTier)"/>, made once per text: what ETags carry of the rules in force.</summary>
    public string MethodologyDigest(DisclosureTier tier)
    {
        var text = Methodology(tier);
        var memo = tier == DisclosureTier.Exact ? exactDigest : protectedDigest;
        if (memo is not null && ReferenceEquals(memo.Text, text))
            return memo.Digest;
        memo = new MethodologyDigestMemo(text, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))));
        if (tier == DisclosureTier.Exact)
            exactDigest = memo;
        else
            protectedDigest = memo;
        return memo.Digest;
    }

    private sealed record MethodologyDigestMemo(string Text, string Digest);

    private static volatile MethodologyDigestMemo? exactDigest;
    private static volatile MethodologyDigestMemo? protectedDigest;

    private sealed record MethodologyText(DisclosureRules Rules, double Rate, ProtectionParameters Parameters, string Text);

    private static volatile MethodologyText? exactText;
    private static volatile MethodologyText? protectedText;

    /// <summary>
    /// Read once per request, before any cell, so a concurrent write can only make the version
    /// older than the data, never newer. The ETag filter reads it first.
    /// </summary>
    public Task<string> DatasetVersionAsync(CancellationToken cancellationToken) => store.DatasetVersionAsync(cancellationToken);

    /// <inheritdoc cref="IBandStore.SnapshotTokenAsync"/>
    public Task<string> SnapshotTokenAsync(CancellationToken cancellationToken) => store.SnapshotTokenAsync(cancellationToken);

    public static string Methodology(DisclosureRules rules, double annualRate) =>
        "percentile_cont (Hyndman-Fan type 7); values rounded to 2 decimals; " + rules.Describe() +
        "; ci: 90% distribution-free interval from order statistics (binomial ranks); " + Confidence.Describe() +
        "; " + FxTable.Rule + "; " + Aging.Describe(annualRate) + "; " + Vesting.Rule +
        "; a cell that mixes equity bases gives its count per basis, each under the datapoint minimum";
}
