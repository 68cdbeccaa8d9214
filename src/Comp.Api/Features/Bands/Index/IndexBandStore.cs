using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Microsoft.Extensions.Options;

namespace Comp.Api.Features.Bands.Index;

/// <summary>
/// The band store in front of the index: one request, one decision. Once the index has loaded,
/// the request checks it is current against the primary's snapshot read for this request (shared
/// with the key check, see <see cref="RequestFreshness"/>), catching up if a write has ended since,
/// and every cell comes from memory; until then, from the store <paramref name="beforeLoaded"/> makes (PostgreSQL), with the
/// same figures. That store (and its DbContext) is made only when a request needs it, not on every request.
/// </summary>
public sealed class IndexBandStore(
    BandIndex index,
    Func<IBandStore> beforeLoaded,
    RequestFreshness freshness,
    IOptionsMonitor<AgingOptions> aging,
    IOptionsMonitor<BandIndexOptions> options) : IBandStore
{
    private IBandStore? sql;
    private bool? useIndex;
    private IndexPosition? position;

    public string? ReadFromSource => useIndex == true ? ReadFrom.Memory : sql?.ReadFromSource;

    private async Task<bool> UseIndexAsync(CancellationToken cancellationToken)
    {
        useIndex ??= index.IsLoaded;
        if (useIndex == true && position is null)
            position = await index.EnsureCurrentAsync((await freshness.GetAsync(cancellationToken)).Snapshot, cancellationToken);
        return useIndex.Value;
    }

    private IBandStore BeforeLoaded => sql ??= beforeLoaded();

    public async Task<string> DatasetVersionAsync(CancellationToken cancellationToken) =>
        await UseIndexAsync(cancellationToken) ? position!.Version : await BeforeLoaded.DatasetVersionAsync(cancellationToken);

    /// <summary>The index's content is named by this process and its generation: it changes exactly when the content does.</summary>
    public async Task<string> SnapshotTokenAsync(CancellationToken cancellationToken) =>
        await UseIndexAsync(cancellationToken)
            ? $"{position!.Version}:{index.InstanceId}:{position.Generation}"
            : await BeforeLoaded.SnapshotTokenAsync(cancellationToken);

    public async Task<BandData> GetAsync(BandQuery query, CancellationToken cancellationToken)
    {
        if (!await UseIndexAsync(cancellationToken))
            return await BeforeLoaded.GetAsync(query, cancellationToken);
        return BandEngine.Run(index.Data!, query, aging.CurrentValue.AnnualRate, options.CurrentValue.ParallelFromRows);
    }
}
