using System.Text.Json.Serialization;
using Comp.Statistics;

namespace Comp.Api.Features.Bands;

/// <summary>Percentile bands over one cut of the data, one cell per group.</summary>
public sealed record BandResponse(
    string Component,
    string Currency,
    DateOnly? AgedTo,
    string DatasetVersion,
    string Methodology,
    IReadOnlyList<BandCell> Cells)
{
    /// <summary>
    /// <c>exact</c> (figures from the data itself, for keys with the exact scope) or <c>protected</c>
    /// (figures read from a differentially private release of each cell; see <c>methodology</c>).
    /// </summary>
    public required string Disclosure { get; init; }

    /// <summary>The FX rates applied (USD per unit, by rate date) and the datapoints left out for want of a rate.</summary>
    public required ConversionInfo Conversion { get; init; }

    /// <summary>The aging applied when <c>agedTo</c> is given, else null.</summary>
    public AgingInfo? Aging { get; init; }

    /// <summary>The trend interval (<c>quarter</c> or <c>year</c>); trend responses only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Interval { get; init; }
}

/// <summary>Where an amount falls in a cell (SPEC §4).</summary>
public sealed record PositionResponse(
    decimal Amount,
    string Component,
    string Currency,
    DateOnly? AgedTo,
    string DatasetVersion,
    string Methodology,
    decimal? PercentileRank,
    string? Bound,
    BandCell Cell)
{
    /// <inheritdoc cref="BandResponse.Disclosure"/>
    public required string Disclosure { get; init; }

    public required ConversionInfo Conversion { get; init; }
    public AgingInfo? Aging { get; init; }
}

public sealed record ConversionInfo(IReadOnlyList<RateUsed> RatesUsed, IReadOnlyList<LeftOut> LeftOut);

/// <summary>
/// Datapoints a band could not count, and why. The count is null when it is below the disclosure
/// minimum: an exact small count would reveal what a suppressed cell hides.
/// </summary>
public sealed record LeftOut(string Currency, int? Datapoints, string Reason);

/// <summary>value × (1 + annualRate)^(days / 365.25), days from each value's effective date to <c>agedTo</c>.</summary>
public sealed record AgingInfo(DateOnly AgedTo, double AnnualRate);

/// <summary>
/// One cell. A suppressed cell has <c>suppressed: true</c>, its reasons, and null <c>n</c>,
/// <c>employers</c> and <c>percentiles</c>; a published cell gives its exact counts. A percentile
/// is null when the cell is too small for it or it would equal the cell's smallest or largest value.
/// </summary>
public sealed record BandCell(
    IReadOnlyDictionary<string, string?> Group,
    int? N,
    int? Employers,
    bool Suppressed,
    IReadOnlyList<string> Reasons,
    IReadOnlyDictionary<string, decimal?>? Percentiles)
{
    /// <summary>The segment's label (compare and chart only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    /// <summary>
    /// A 90% distribution-free confidence interval for each published percentile, from order
    /// statistics (binomial ranks); a bound is null when no order statistic gives it or it would
    /// equal the cell's smallest or largest datapoint. Null for a suppressed cell.
    /// </summary>
    public IReadOnlyDictionary<string, Interval>? Ci { get; init; }

    /// <summary><c>low</c>, <c>medium</c> or <c>high</c>, from n, employers and data age (thresholds in <c>methodology</c>); null when suppressed.</summary>
    public string? Confidence { get; init; }

    /// <summary>
    /// When the cell mixes equity bases: its datapoints per basis (<c>unknown</c> for those without one), each under the
    /// disclosure rules (null: below the cell minimum, or withheld so that n minus the others does not give such a count).
    /// In the protected tier noisy counts, only those reaching the cell minimum, shown when two or more do. Absent when the
    /// query groups by <c>equityBasis</c> or filters one basis.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int?>? EquityBases { get; init; }
}
