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
    /// <summary>The FX rates applied (USD per unit, by rate date) and the datapoints left out for want of a rate.</summary>
    public required ConversionInfo Conversion { get; init; }

    /// <summary>The aging applied when <c>agedTo</c> is given, else null.</summary>
    public AgingInfo? Aging { get; init; }
}

public sealed record ConversionInfo(IReadOnlyList<RateUsed> RatesUsed, IReadOnlyList<LeftOut> LeftOut);

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
    IReadOnlyDictionary<string, decimal?>? Percentiles);
