using System.Buffers;
using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// One cell's data before disclosure: its group, its values, and its counts. It owns its values'
/// buffer, rented from <see cref="ArrayPool{T}.Shared"/>, and returns it when disposed: read the
/// values, compute the figures, dispose.
/// </summary>
/// <remarks>
/// A company-weighted cell's values are its employers' medians (one per employer: its counts are
/// employers, employers, 1), and it keeps its datapoints' values too (<see cref="Rows"/>,
/// <see cref="RowSpan"/>, in a second pooled buffer), which the work budget is charged by.
/// </remarks>
public sealed class CellValues(IReadOnlyDictionary<string, string?> group, double[] values, CellCounts counts, bool pooled, double[]? rowValues = null, int rows = 0) : IDisposable
{
    private double[] values = values;
    private double[]? rowValues = rowValues;

    public IReadOnlyDictionary<string, string?> Group { get; } = group;

    public CellCounts Counts { get; } = counts;

    /// <summary>The cell's values, unsorted (percentiles are found by selection).</summary>
    public Span<double> Span => values.AsSpan(0, Counts.Datapoints);

    /// <summary>How many datapoints the cell holds: its value count, or for a company-weighted cell the datapoints behind its medians.</summary>
    public int Rows => rowValues is null ? Counts.Datapoints : rows;

    /// <summary>The values of the cell's datapoints: <see cref="Span"/>, or for a company-weighted cell the values its medians are of.</summary>
    public Span<double> RowSpan => rowValues is null ? Span : rowValues.AsSpan(0, rows);

    /// <summary>The mean effective date of the cell's datapoints (for the confidence grade).</summary>
    public DateOnly? MeanEffectiveDate { get; init; }

    /// <summary>The sum of the cell's datapoints' content tags: equal contents, equal fingerprint (<see cref="Comp.Statistics.Privacy.ContentTags"/>).</summary>
    public ulong Fingerprint { get; init; }

    /// <summary>The FX rates applied to the cell's values (named in the response only if the cell is published).</summary>
    public IReadOnlyCollection<RateUsed> Rates { get; init; } = [];

    /// <summary>The cell's datapoints per equity basis code (<see cref="EquityBases.Code"/>); null when the query pins one basis.</summary>
    public int[]? BasisCounts { get; init; }

    /// <summary>The schedules the cell's equity grants vest by (yearK in the exact tier only; named in the methodology if the cell is published).</summary>
    public IReadOnlyCollection<string> EquityVesting { get; init; } = [];

    /// <summary>The same for its retention grants.</summary>
    public IReadOnlyCollection<string> RetentionVesting { get; init; } = [];

    public static CellValues Empty(IReadOnlyDictionary<string, string?> group) => new(group, [], new CellCounts(0, 0, 0), pooled: false);

    public void Dispose()
    {
        if (pooled && values.Length > 0)
            ArrayPool<double>.Shared.Return(values);
        if (pooled && rowValues is { Length: > 0 })
            ArrayPool<double>.Shared.Return(rowValues);
        values = [];
        rowValues = null;
    }
}

/// <summary>Everything a source answers for one band query: the cells, and how many values per currency had no rate.</summary>
public sealed class BandData(IReadOnlyList<CellValues> cells, IReadOnlyDictionary<string, int> leftOut) : IDisposable
{
    public IReadOnlyList<CellValues> Cells { get; } = cells;

    public IReadOnlyDictionary<string, int> LeftOut { get; } = leftOut;

    /// <summary>The FX table the values were converted with (the protected tier converts its USD figures with its latest rates).</summary>
    public FxTable Fx { get; init; } = FxTable.Empty;

    /// <summary>An answer: cells with data only, except that an ungrouped cut is always one cell (empty if nothing matched).</summary>
    public static BandData Of(BandQuery query, List<CellValues> cells, IReadOnlyDictionary<string, int> leftOut, FxTable fx)
    {
        if (query.GroupBy.Count == 0 && cells.Count == 0)
            cells.Add(CellValues.Empty(new Dictionary<string, string?>()));
        return new BandData(cells, leftOut) { Fx = fx };
    }

    public void Dispose()
    {
        foreach (var cell in Cells)
            cell.Dispose();
    }
}

/// <summary>Where the band data comes from, and so what the <c>X-Comp-Read-From</c> header says.</summary>
public static class ReadFrom
{
    public const string Header = "X-Comp-Read-From";
    public const string Memory = "memory";
    public const string Primary = "primary";
    public const string Replica = "replica";
}

/// <summary>A band store's answer to one request's snapshot: the dataset version and the token ETags are made of.</summary>
public interface IBandStore
{
    /// <summary>The version of the data this request's answers are computed from; read once per request, before any cell.</summary>
    Task<string> DatasetVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The version plus what else names the data's state, for ETags: the version moves when a
    /// write starts (a sequence is not transactional), so a tag must also change when it commits.
    /// </summary>
    Task<string> SnapshotTokenAsync(CancellationToken cancellationToken);

    /// <summary>The cells of a query; the caller disposes the answer once its figures are computed.</summary>
    Task<BandData> GetAsync(BandQuery query, CancellationToken cancellationToken);

    /// <summary>Where this request's band data was read from (<see cref="ReadFrom"/>); null before any read.</summary>
    string? ReadFromSource { get; }
}

/// <summary>How values are moved to a common date (SPEC §3; the rule is <see cref="Aging"/>).</summary>
public sealed class AgingOptions
{
    /// <summary>The annual growth rate r of value × (1 + r)^(days / 365.25).</summary>
    public double AnnualRate { get; set; } = 0.03;
}
