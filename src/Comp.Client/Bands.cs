using System.Globalization;

namespace Comp.Client;

/// <summary>
/// Which datapoints a band covers (SPEC §4). Text filters take a comma list meaning "any of",
/// e.g. <c>Role = "ml-engineer,research-scientist"</c>; a region matches its descendants too.
/// Also the <c>filter</c> of a compare segment.
/// </summary>
public record BandFilter
{
    public string? Employer { get; init; }
    /// <summary>Employer(s) to leave out of the cut, e.g. your own.</summary>
    public string? ExcludeEmployer { get; init; }
    /// <summary>Employer industry(ies), e.g. <c>ai-lab,big-tech</c> (GET /v1/industries).</summary>
    public string? Industry { get; init; }
    /// <summary>Employer stage(s), e.g. <c>public</c>.</summary>
    public string? Stage { get; init; }
    /// <summary>Employer headcount band(s), e.g. <c>20001-plus</c>.</summary>
    public string? Headcount { get; init; }
    /// <summary>The id of one of the key's saved peer groups (GET /v1/peer-groups): its members' datapoints.</summary>
    public string? PeerGroup { get; init; }
    public string? Role { get; init; }
    public string? Level { get; init; }
    public string? Region { get; init; }
    /// <summary>Earliest effective date, inclusive.</summary>
    public DateOnly? From { get; init; }
    /// <summary>Latest effective date, inclusive.</summary>
    public DateOnly? To { get; init; }
    public string? Source { get; init; }
    /// <summary>Only verified (true) or unverified (false) datapoints; null for both.</summary>
    public bool? Verified { get; init; }
    /// <summary>Equity basis(es), e.g. <c>public_rsu,profit_units</c>; a datapoint of unknown basis matches none.</summary>
    public string? EquityBasis { get; init; }
    /// <summary>Package type(s), e.g. <c>new_hire</c>.</summary>
    public string? PackageType { get; init; }
    /// <summary>Fewest years of experience, inclusive; a datapoint without years of experience is outside any such range.</summary>
    public decimal? MinYearsOfExperience { get; init; }
    /// <summary>Most years of experience, inclusive.</summary>
    public decimal? MaxYearsOfExperience { get; init; }

    /// <summary>The set parameters as an escaped query string, without the leading <c>?</c>.</summary>
    public string ToQueryString() => QueryString.Of(Parameters());

    internal virtual IEnumerable<(string Name, string? Value)> Parameters() =>
    [
        ("employer", Employer), ("excludeEmployer", ExcludeEmployer), ("industry", Industry), ("stage", Stage), ("headcount", Headcount), ("peerGroup", PeerGroup), ("role", Role), ("level", Level), ("region", Region),
        ("from", Date(From)), ("to", Date(To)), ("source", Source), ("equityBasis", EquityBasis), ("packageType", PackageType),
        ("verified", Verified is { } verified ? (verified ? "true" : "false") : null),
        ("minYearsOfExperience", Number(MinYearsOfExperience)), ("maxYearsOfExperience", Number(MaxYearsOfExperience)),
    ];

    private static string? Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    private protected static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The query of <c>GET /v1/bands</c> (and position, trend, chart): filters and answer options.</summary>
public sealed record BandQuery : BandFilter
{
    /// <summary><c>base</c>, <c>bonus</c>, <c>equity</c>, <c>retention</c>, <c>signon</c>, <c>total</c> (default), or <c>year1</c> … <c>year4</c> (each year's pay by the grants' vesting schedules).</summary>
    public string? Component { get; init; }
    /// <summary>Comma list of integers 1–99, e.g. <c>5,50,95</c>; default 10,25,50,75,90.</summary>
    public string? Percentiles { get; init; }
    /// <summary>ISO 4217 currency of the answer; default USD.</summary>
    public string? Currency { get; init; }
    /// <summary>Age every value to this date.</summary>
    public DateOnly? AgedTo { get; init; }
    /// <summary>Comma list of <c>employer</c>, <c>role</c>, <c>level</c>, <c>region</c>, <c>equityBasis</c>, <c>packageType</c>, <c>industry</c>, <c>stage</c>, <c>headcount</c>: one cell per distinct value.</summary>
    public string? GroupBy { get; init; }
    /// <summary><c>incumbent</c> (default: every datapoint counts once) or <c>company</c> (every employer counts once, by its median).</summary>
    public string? Weighting { get; init; }

    internal override IEnumerable<(string Name, string? Value)> Parameters() =>
    [
        .. base.Parameters(),
        ("component", Component), ("percentiles", Percentiles), ("currency", Currency), ("agedTo", Date(AgedTo)), ("groupBy", GroupBy),
        ("weighting", Weighting),
    ];
}

/// <summary>The body of <c>POST /v1/bands/compare</c> and <c>POST /v1/bands/chart.svg</c>.</summary>
public sealed record CompareRequest
{
    public string? Component { get; init; }
    public string? Currency { get; init; }
    public DateOnly? AgedTo { get; init; }
    public string? Percentiles { get; init; }
    /// <summary><c>incumbent</c> (default) or <c>company</c>, for every segment.</summary>
    public string? Weighting { get; init; }
    /// <summary>1 to 20 segments, answered one cell each, in this order.</summary>
    public required IReadOnlyList<CompareSegment> Segments { get; init; }
}

/// <summary>A labelled cut of the data in a comparison.</summary>
public sealed record CompareSegment(string Label, BandFilter Filter);

/// <summary>Percentile bands over one cut of the data, one cell per group.</summary>
/// <param name="Interval"><c>quarter</c> or <c>year</c> on trend answers, else null.</param>
public sealed record BandResponse(
    string Component,
    string Currency,
    DateOnly? AgedTo,
    string DatasetVersion,
    string Methodology,
    IReadOnlyList<BandCell> Cells,
    ConversionInfo Conversion,
    AgingInfo? Aging,
    string? Interval);

/// <summary>
/// One cell. A suppressed cell has its <see cref="Reasons"/> and null counts and percentiles; a
/// percentile is null where the cell is too small for it. Keys of <see cref="Percentiles"/> and
/// <see cref="Ci"/> are <c>p10</c>, <c>p50</c>, ….
/// </summary>
/// <param name="Label">The segment's label (compare only).</param>
/// <param name="Ci">A 90% confidence interval of each published percentile.</param>
/// <param name="Confidence"><c>low</c>, <c>medium</c> or <c>high</c>; null when suppressed.</param>
/// <param name="EquityBases">
/// When the cell mixes equity bases: its datapoints per basis (<c>unknown</c> for none), a count null where withheld by the
/// disclosure rules; null otherwise.
/// </param>
public sealed record BandCell(
    IReadOnlyDictionary<string, string?> Group,
    int? N,
    int? Employers,
    bool Suppressed,
    IReadOnlyList<string> Reasons,
    IReadOnlyDictionary<string, decimal?>? Percentiles,
    string? Label,
    IReadOnlyDictionary<string, ConfidenceInterval>? Ci,
    string? Confidence,
    IReadOnlyDictionary<string, int?>? EquityBases = null);

public sealed record ConfidenceInterval(decimal? Lower, decimal? Upper);

/// <summary>The FX rates applied and the datapoints left out for want of a rate.</summary>
public sealed record ConversionInfo(IReadOnlyList<RateUsed> RatesUsed, IReadOnlyList<LeftOut> LeftOut);

public sealed record RateUsed(string Currency, DateOnly Date, decimal UsdPerUnit);

/// <param name="Datapoints">Null when fewer than the disclosure minimum (withheld).</param>
public sealed record LeftOut(string Currency, int? Datapoints, string Reason);

/// <summary>value × (1 + annualRate)^(days / 365.25).</summary>
public sealed record AgingInfo(DateOnly AgedTo, double AnnualRate);

/// <summary>
/// Where an amount falls in a cell: its rank on the published percentile grid; <see cref="Bound"/>
/// is <c>below</c> or <c>above</c> outside the grid, else null.
/// </summary>
public sealed record PositionResponse(
    decimal Amount,
    string Component,
    string Currency,
    DateOnly? AgedTo,
    string DatasetVersion,
    string Methodology,
    decimal? PercentileRank,
    string? Bound,
    BandCell Cell,
    ConversionInfo Conversion,
    AgingInfo? Aging);

internal static class QueryString
{
    /// <summary>The parameters that have a value, escaped and joined with <c>&amp;</c>.</summary>
    public static string Of(IEnumerable<(string Name, string? Value)> parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
