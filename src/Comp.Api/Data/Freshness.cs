using System.Globalization;
using Npgsql;

namespace Comp.Api.Data;

/// <summary>A PostgreSQL snapshot (<c>pg_current_snapshot()::text</c>: xmin:xmax:xip,…).</summary>
public sealed record Snapshot(ulong Xmin, ulong Xmax, IReadOnlySet<ulong> Xip)
{
    public static Snapshot Parse(string text)
    {
        var parts = text.Split(':');
        var xip = parts.Length > 2 && parts[2].Length > 0
            ? parts[2].Split(',').Select(x => ulong.Parse(x, CultureInfo.InvariantCulture)).ToHashSet()
            : [];
        return new Snapshot(ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture), xip);
    }
}

/// <summary>
/// What the primary showed in one statement: its snapshot (for the band index) and the version of
/// the key table (the id of the last transaction that created, changed or revoked a key; null when
/// no key was ever written), for the in-memory key cache.
/// </summary>
public sealed record PrimaryState(Snapshot Snapshot, string? KeysVersion);

/// <summary>
/// Reads the primary's state for every instance's freshness check, single-flight: a caller gets the
/// result of a query that <em>started after it asked</em>, so any write acknowledged before the
/// request began is in it; callers that ask while a query is in flight share the next one. Under
/// load one round trip serves many requests; alone, a request pays one round trip, as before.
/// </summary>
public sealed class PrimaryWatch(NpgsqlDataSource dataSource)
{
    public const string Sql = "SELECT pg_current_snapshot()::text, (SELECT changed_by::text FROM api_keys_version WHERE id)";

    private readonly Lock gate = new();
    private bool busy;
    private TaskCompletionSource<PrimaryState>? next;
    private long queries;

    /// <summary>Round trips made so far (for tests and the benchmark: fewer than the requests served under load).</summary>
    public long Queries => Interlocked.Read(ref queries);

    public Task<PrimaryState> ReadAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<PrimaryState> batch;
        var lead = false;
        lock (gate)
        {
            if (!busy)
            {
                busy = lead = true;
                batch = NewBatch();
            }
            else
            {
                batch = next ??= NewBatch();
            }
        }
        if (lead)
        {
            // The pump serves every caller from now on: it does not carry this request's context (its trace, its scope).
            using (ExecutionContext.SuppressFlow())
                _ = Task.Run(() => PumpAsync(batch), CancellationToken.None);
        }
        return batch.Task.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource<PrimaryState> NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs the query for one batch, then for the batch that gathered meanwhile, until none has.</summary>
    private async Task PumpAsync(TaskCompletionSource<PrimaryState> batch)
    {
        while (true)
        {
            try
            {
                batch.TrySetResult(await QueryAsync());
            }
            catch (Exception ex)
            {
                batch.TrySetException(ex);
                // Observed here: when every caller has stopped waiting, nobody else would.
                _ = batch.Task.Exception;
            }
            lock (gate)
            {
                if (next is null)
                {
                    busy = false;
                    return;
                }
                batch = next;
                next = null;
            }
        }
    }

    /// <summary>
    /// The pump's own connection and prepared statement: one query runs at a time, so one connection serves them all
    /// without a trip through the pool per query. Dropped on any error and opened again by the next query.
    /// </summary>
    private NpgsqlConnection? connection;
    private NpgsqlCommand? command;

    private async Task<PrimaryState> QueryAsync()
    {
        Interlocked.Increment(ref queries);
        try
        {
            if (command is null)
            {
                connection = await dataSource.OpenConnectionAsync();
                command = new NpgsqlCommand(Sql, connection);
                await command.PrepareAsync();
            }
            // No caller's token: the result serves every caller of the batch (each stops waiting on its own).
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new PrimaryState(Snapshot.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1));
        }
        catch
        {
            await DropConnectionAsync();
            throw;
        }
    }

    private async Task DropConnectionAsync()
    {
        var (c, k) = (connection, command);
        (connection, command) = (null, null);
        if (k is not null)
            await k.DisposeAsync();
        if (c is not null)
            await c.DisposeAsync();
    }
}

/// <summary>
/// The primary's state for one request, read once (the first time anything asks, which is after
/// the request began) and shared by the key check and the band index.
/// </summary>
public sealed class RequestFreshness(PrimaryWatch watch)
{
    private Task<PrimaryState>? state;

    public Task<PrimaryState> GetAsync(CancellationToken cancellationToken) => state ??= watch.ReadAsync(cancellationToken);
}
