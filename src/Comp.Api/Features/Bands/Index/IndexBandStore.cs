using Microsoft.Extensions.Options;

namespace Comp.Api.Features.Bands.Index;

/// <summary>
/// The band store in front of the index: one request, one decision. Once the index has loaded,
/// the request checks it is current (catching up if a write has ended since) and every cell comes
/// from memory; until then, from PostgreSQL through <see cref="SqlBandStore"/>, with the same figures.
/// </summary>
public sealed class IndexBandStore(
    BandIndex index,
    SqlBandStore sql,
    IOptionsMonitor<AgingOptions> aging,
    IOptionsMonitor<BandIndexOptions> options,
    IHttpContextAccessor http) : IBandStore
{
    public const string ReadFromMemory = "memory";

    private bool? useIndex;
    private IndexPosition? position;

    private async Task<bool> UseIndexAsync(CancellationToken cancellationToken)
    {
        useIndex ??= index.IsLoaded;
        if (useIndex == true && position is null)
        {
            position = await index.EnsureCurrentAsync(cancellationToken);
            if (http.HttpContext is { Response.HasStarted: false } context)
                context.Response.Headers[SqlBandStore.ReadFromHeader] = ReadFromMemory;
        }
        return useIndex.Value;
    }

    public async Task<string> DatasetVersionAsync(CancellationToken cancellationToken) =>
        await UseIndexAsync(cancellationToken) ? position!.Version : await sql.DatasetVersionAsync(cancellationToken);

    /// <summary>The index's content is named by this process and its generation: it changes exactly when the content does.</summary>
    public async Task<string> SnapshotTokenAsync(CancellationToken cancellationToken) =>
        await UseIndexAsync(cancellationToken)
            ? $"{position!.Version}:{index.InstanceId}:{position.Generation}"
            : await sql.SnapshotTokenAsync(cancellationToken);

    public async Task<BandData> GetAsync(BandQuery query, CancellationToken cancellationToken)
    {
        if (!await UseIndexAsync(cancellationToken))
            return await sql.GetAsync(query, cancellationToken);
        return IndexQuery.Run(index.Data!, index.Fx, query, aging.CurrentValue.AnnualRate, options.CurrentValue.ParallelFromRows);
    }
}
