using Comp.Client;

namespace Comp.Import.Sending;

/// <summary>Where mapped datapoints go, one batch at a time.</summary>
internal interface IDatapointSink
{
    /// <summary>Stores the good rows of <paramref name="batch"/>; the result's rejected lines count from 1 within the batch.</summary>
    Task<BatchResult> SendAsync(IReadOnlyList<DatapointRequest> batch, CancellationToken cancellationToken);
}

/// <summary>
/// The API's batch route through <see cref="CompClient"/>, with <c>allowPartial=true</c> so one
/// bad row does not sink its batch. Each batch gets its own Idempotency-Key, which the client
/// resends on every retry: a batch whose answer was lost is stored once.
/// </summary>
internal sealed class ApiSink(CompClient client) : IDatapointSink
{
    public Task<BatchResult> SendAsync(IReadOnlyList<DatapointRequest> batch, CancellationToken cancellationToken) =>
        client.PostBatchAsync(batch, allowPartial: true, idempotencyKey: Guid.NewGuid().ToString(), cancellationToken);
}
