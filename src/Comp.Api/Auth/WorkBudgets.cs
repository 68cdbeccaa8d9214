using System.Collections.Concurrent;
using Comp.Api.Data;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Comp.Api.Auth;

/// <summary>One caller's standing in the current window, as this instance knows it.</summary>
public readonly record struct BudgetState(long Used, long Limit, DateTimeOffset WindowEnd)
{
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>Whole seconds until the window ends, at least 1 (<c>t</c> and <c>Retry-After</c>).</summary>
    public int SecondsLeft(DateTimeOffset now) => Math.Max(1, (int)Math.Ceiling((WindowEnd - now).TotalSeconds));
}

/// <summary>
/// The work budgets of every caller, shared by all instances of the service through PostgreSQL
/// (<c>rate_budgets</c>: units used per partition and one-minute window). Each instance admits and
/// charges from memory, so a request pays no round trip; it adds its charges to the shared rows and
/// reads the service-wide totals back every <see cref="RateLimitOptions.SyncMilliseconds"/>, and
/// reads a caller's total once before admitting the caller's first request of a window. So a budget
/// holds for the whole service to within what the instances admit in one sync interval.
/// </summary>
/// <remarks>
/// Windows are whole minutes of wall-clock time, the same on every instance. When PostgreSQL cannot
/// be reached, instances go on with what they know (a caller's budget is then enforced per instance)
/// and add their charges once it is back: a database outage never refuses a request by itself.
/// </remarks>
public sealed class WorkBudgets(TimeProvider clock, IOptionsMonitor<RateLimitOptions> options, LocalWrites writes, ILogger<WorkBudgets> logger)
    : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Partition> partitions = new(StringComparer.Ordinal);
    private NpgsqlDataSource? dataSource;
    private DateTimeOffset lastCleanup;
    private DateTimeOffset lastWarning;

    /// <summary>Where the shared rows are; without it (a service of one instance) budgets are kept in memory only.</summary>
    public void UseDatabase(NpgsqlDataSource source) => dataSource = source;

    /// <summary>
    /// Admits a request while its caller has at least one unit left, and takes that unit at once, so requests arriving
    /// together cannot all pass on the same last unit (the rest of the cost is charged by <see cref="Charge"/>). The
    /// caller's service-wide total is read from PostgreSQL first when this instance has not seen it in this window.
    /// </summary>
    public async ValueTask<(bool Admitted, BudgetState State)> AdmitAsync(string partition, long limit, CancellationToken cancellationToken)
    {
        var p = partitions.GetOrAdd(partition, static _ => new Partition());
        Task? loading;
        lock (p)
        {
            var now = clock.GetUtcNow();
            var window = WindowOf(now);
            p.Enter(window, now);
            loading = p.Loaded || dataSource is null ? null : p.Loading ??= LoadAsync(partition, p, window);
        }
        if (loading is not null)
            await loading.WaitAsync(cancellationToken);
        lock (p)
        {
            var now = clock.GetUtcNow();
            var window = WindowOf(now);
            p.Enter(window, now);
            var admitted = p.Used < limit;
            if (admitted)
                p.Pending += 1;
            return (admitted, new BudgetState(p.Used, limit, window + Window));
        }
    }

    /// <summary>Charges units to a caller (an admitted request's cost beyond the unit <see cref="AdmitAsync"/> took); the standing after it.</summary>
    public BudgetState Charge(string partition, long limit, int units)
    {
        var now = clock.GetUtcNow();
        var window = WindowOf(now);
        var p = partitions.GetOrAdd(partition, static _ => new Partition());
        lock (p)
        {
            p.Enter(window, now);
            p.Pending += units;
            return new BudgetState(p.Used, limit, window + Window);
        }
    }

    public static DateTimeOffset WindowOf(DateTimeOffset now) =>
        new(now.UtcTicks - now.UtcTicks % Window.Ticks, TimeSpan.Zero);

    /// <summary>The caller's service-wide total for the window, read once per window before its first request here.</summary>
    private async Task LoadAsync(string partition, Partition p, DateTimeOffset window)
    {
        long used = 0;
        try
        {
            await using var command = dataSource!.CreateCommand("SELECT used FROM rate_budgets WHERE window_start = $1 AND partition = $2");
            command.Parameters.Add(new NpgsqlParameter { Value = window.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = partition });
            command.CommandTimeout = 2;
            used = await command.ExecuteScalarAsync() is long total ? total : 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            Warn(ex);
        }
        lock (p)
        {
            if (p.Window == window)
            {
                p.Shared = Math.Max(p.Shared, used);
                p.Loaded = true;
                p.Loading = null;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (dataSource is null)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(10, options.CurrentValue.SyncMilliseconds)), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await SyncAsync(CancellationToken.None);
        }
        // What was charged since the last sync still counts for the other instances.
        await SyncAsync(CancellationToken.None);
    }

    /// <summary>
    /// Adds this instance's pending charges to the shared rows and reads back the totals of the
    /// callers seen lately; forgets callers of ended windows; once a minute deletes ended windows' rows.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        if (dataSource is null)
            return;
        var now = clock.GetUtcNow();
        var window = WindowOf(now);
        var charges = new List<(string Partition, long Units)>();
        var reads = new List<string>();
        foreach (var (key, p) in partitions)
        {
            lock (p)
            {
                if (p.Window != window)
                {
                    // Forgotten once idle for a whole window: a request still holding it would charge a window that has ended.
                    if (now - p.LastSeen > Window)
                        partitions.TryRemove(new KeyValuePair<string, Partition>(key, p));
                    continue;
                }
                if (p.Pending > p.Sending)
                {
                    var units = p.Pending - p.Sending;
                    p.Sending += units;
                    charges.Add((key, units));
                }
                else if (now - p.LastSeen < TimeSpan.FromSeconds(10))
                {
                    reads.Add(key);
                }
            }
        }
        var cleanup = now - lastCleanup >= Window;
        if (charges.Count == 0 && reads.Count == 0 && !cleanup)
            return;
        // One order for every instance, so two instances' upserts never wait on each other's rows in a cycle.
        charges.Sort((a, b) => string.CompareOrdinal(a.Partition, b.Partition));
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            // A sync that writes does so in a transaction band reads need not wait for (LocalWrites); one
            // that only reads has none.
            await using var transaction = charges.Count > 0 || cleanup ? await connection.BeginTransactionAsync(cancellationToken) : null;
            if (transaction is not null)
                await writes.IgnoreAsync(connection, transaction, cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            var at = new NpgsqlParameter { Value = window.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };
            if (charges.Count > 0)
                batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                    INSERT INTO rate_budgets (partition, window_start, used)
                    SELECT p, $1, u FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS c(p, u, i) ORDER BY i
                    ON CONFLICT (window_start, partition) DO UPDATE SET used = rate_budgets.used + excluded.used
                    RETURNING partition, used
                    """)
                {
                    Parameters = { at, new() { Value = charges.Select(c => c.Partition).ToArray() }, new() { Value = charges.Select(c => c.Units).ToArray() } },
                });
            if (reads.Count > 0)
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT partition, used FROM rate_budgets WHERE window_start = $1 AND partition = ANY($2)")
                {
                    Parameters = { at.Clone(), new() { Value = reads.ToArray() } },
                });
            if (cleanup)
                batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM rate_budgets WHERE window_start < $1")
                {
                    Parameters = { at.Clone() },
                });
            batch.Timeout = 5;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                // A result per statement that returns rows (the DELETE returns none).
                do
                {
                    while (await reader.ReadAsync(cancellationToken))
                        totals[reader.GetString(0)] = reader.GetInt64(1);
                } while (await reader.NextResultAsync(cancellationToken));
            }
            if (transaction is not null)
                await transaction.CommitAsync(cancellationToken);
            if (cleanup)
                lastCleanup = now;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            Warn(ex);
            // Not added: sent again at the next sync.
            foreach (var (key, units) in charges)
            {
                if (partitions.TryGetValue(key, out var p))
                    lock (p)
                        if (p.Window == window)
                            p.Sending -= units;
            }
            return;
        }
        foreach (var (key, units) in charges)
        {
            if (partitions.TryGetValue(key, out var p))
                lock (p)
                    if (p.Window == window)
                    {
                        // Now in the shared total read back with it.
                        p.Sending -= units;
                        p.Pending -= units;
                    }
        }
        foreach (var (key, total) in totals)
        {
            if (partitions.TryGetValue(key, out var p))
                lock (p)
                    if (p.Window == window)
                    {
                        p.Shared = total;
                        p.Loaded = true;
                    }
        }
    }

    private void Warn(Exception ex)
    {
        var now = clock.GetUtcNow();
        if (now - lastWarning < TimeSpan.FromSeconds(30))
            return;
        lastWarning = now;
        logger.LogWarning(ex, "Could not reach the shared rate-limit budgets; each instance enforces what it knows until they are back");
    }

    /// <summary>One caller on this instance (guarded by its own lock).</summary>
    private sealed class Partition
    {
        public DateTimeOffset Window;
        /// <summary>The service-wide total last read from PostgreSQL (this instance's synced charges included).</summary>
        public long Shared;
        /// <summary>Charged here and not yet in <see cref="Shared"/>.</summary>
        public long Pending;
        /// <summary>The part of <see cref="Pending"/> a sync is adding right now.</summary>
        public long Sending;
        public bool Loaded;
        public Task? Loading;
        public DateTimeOffset LastSeen;

        public long Used => Shared + Pending;

        public void Enter(DateTimeOffset window, DateTimeOffset now)
        {
            if (Window != window)
            {
                Window = window;
                Shared = Pending = Sending = 0;
                Loaded = false;
                Loading = null;
            }
            LastSeen = now;
        }
    }
}
