namespace Comp.Api.Features.Bands;

/// <summary>Percentile bands over one cut of the data, one cell per group.</summary>
public sealed record BandResponse(
    string Component,
    string Currency,
    DateOnly? AgedTo,
    string DatasetVersion,
    string Methodology,
    IReadOnlyList<BandCell> Cells);

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
