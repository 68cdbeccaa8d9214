using System.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Comp.Statistics;
using Comp.Statistics.Privacy;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comp.Api.Features.Bands.Index;

public sealed class BandIndexOptions
{
    /// <summary>Answer bands from the in-memory index (default). Off, every band is computed in PostgreSQL; no figure changes.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>From this many candidate rows on, a band query scans on two cores (when the machine has them).</summary>
    public long ParallelFromRows { get; set; } = 1 << 17;

    /// <summary>
    /// Rows out of place (appended since the last compaction, or deleted) from which the index
    /// compacts: when they are also an eighth of all rows after a catch-up, or a sixty-fourth when
    /// nothing has changed for five seconds.
    /// </summary>
    public int CompactFromRows { get; set; } = 4096;
}

/// <summary>
/// Where the index stands against PostgreSQL: the snapshot its content reflects (every transaction
/// below <see cref="Xmax"/> and not in <see cref="Xip"/> is in), the TRUNCATE epoch, the dataset
/// version read with it, and a generation that moves whenever the content changes.
/// </summary>
public sealed record IndexPosition(ulong Xmin, ulong Xmax, IReadOnlySet<ulong> Xip, long Epoch, string Version, long Generation)
{
    /// <summary>
    /// Whether <paramref name="now"/> shows nothing committed that the index lacks. PostgreSQL's
    /// xmax is one past the last transaction to end, so an unchanged xmax means no transaction has
    /// ended since, except those running at the index's snapshot, which must all still be running;
    /// a transaction still in flight (a batch COPY, an uncommitted write) moves neither. A snapshot
    /// older than the index's (a lower xmax: the shared freshness read can predate a catch-up)
    /// shows nothing the index lacks either.
    /// </summary>
    public bool Covers(Snapshot now) => now.Xmax < Xmax || (now.Xmax == Xmax && Xip.All(now.Xip.Contains));
}

/// <summary>
/// The exact in-memory band index: every datapoint's dimensions and amounts in columns, loaded
/// from the primary at start-up and kept current from it. PostgreSQL stays the source of truth:
/// each request first compares the primary's current snapshot with the one the index reflects
/// (one tiny query) and catches up before answering when a write has ended since, so a write is
/// visible to the next read on every instance; LISTEN/NOTIFY (and a one-second poll when nothing
/// is heard) catch up in the background so requests rarely wait. Changes are read by the writing
/// transaction's id (<c>datapoints.change_xid</c>, <c>datapoint_deletions</c>) from the previous
/// snapshot's xmin on, so a transaction that commits late is never missed.
/// </summary>
public sealed class BandIndex : IDisposable
{
    public const string Channel = "comp_dataset_changed";
    public const string MeterName = "Comp.BandIndex";

    private readonly NpgsqlDataSource dataSource;
    private readonly IOptionsMonitor<BandIndexOptions> options;
    private readonly ILogger<BandIndex> logger;
    private readonly SemaphoreSlim catchUpGate = new(1, 1);
    private readonly TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Meter meter;
    private volatile IndexData? data;
    private volatile IndexPosition? position;
    private long checks;
    private long requestCatchUps;
    private long covered;
    private double loadSeconds;
    private long compactions;
    private long retryCompactionAt;
    // The catch-ups applied while a compaction builds its copy (null when none does); touched under catchUpGate.
    private List<Change>? compactionLog;

    private readonly ContentTags tags;

    private readonly LocalWrites writes;

    public BandIndex(NpgsqlDataSource dataSource, IOptionsMonitor<BandIndexOptions> options, ContentTags tags, LocalWrites writes, ILogger<BandIndex> logger)
    {
        this.writes = writes;
        // This instance's own datapoint writes make the index current before they are acknowledged.
        writes.OnCommitted(CatchUpAsync);
        this.tags = tags;
        this.dataSource = dataSource;
        this.options = options;
        this.logger = logger;
        meter = new Meter(MeterName);
        meter.CreateObservableGauge("comp.band_index.loaded", () => IsLoaded ? 1 : 0, description: "1 once the start-up load finished");
        meter.CreateObservableGauge("comp.band_index.datapoints", () => (long)(data?.Live ?? 0), description: "Datapoints in the index");
        meter.CreateObservableGauge("comp.band_index.bytes", () => data?.Bytes ?? 0, description: "Bytes of the index's arrays");
        meter.CreateObservableGauge("comp.band_index.load_seconds", () => loadSeconds, description: "Duration of the last full load");
        meter.CreateObservableCounter("comp.band_index.request_catch_ups", () => Interlocked.Read(ref requestCatchUps),
            description: "Requests that found the index behind a committed write and waited for a catch-up");
        meter.CreateObservableCounter("comp.band_index.compactions", () => Volatile.Read(ref compactions), description: "Compactions since start-up (rows put back in role-and-region order)");
    }

    /// <summary>A random name for this process's index, part of its ETags (generations are per process).</summary>
    public string InstanceId { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 6).ToLowerInvariant();

    public bool IsLoaded => data is not null;

    /// <summary>Completes when the start-up load has finished.</summary>
    public Task WhenLoaded => loaded.Task;

    public int Datapoints => data?.Live ?? 0;

    public long Bytes => data?.Bytes ?? 0;

    /// <summary>Compactions since start-up, each full load's (the start-up's, a reload after a TRUNCATE) included.</summary>
    public long Compactions => Volatile.Read(ref compactions);

    internal IndexData? Data => data;

    /// <summary>Requests that found the index behind and waited for a catch-up (for tests: what a read waits for).</summary>
    public long RequestCatchUps => Interlocked.Read(ref requestCatchUps);

    /// <summary>Where the index stands (null before the start-up load).</summary>
    public IndexPosition? Position => position;

    /// <summary>
    /// Makes sure the index holds every write committed before <paramref name="now"/> (the primary's
    /// snapshot, read after the request began); returns its position.
    /// </summary>
    public async Task<IndexPosition> EnsureCurrentAsync(Snapshot now, CancellationToken cancellationToken)
    {
        // Taken after the snapshot: a catch-up that starts later covers this check.
        var ticket = Interlocked.Increment(ref checks);
        // Nothing the index lacks, or only what this instance knows a read need not wait for: its own
        // writes not yet acknowledged (their writer is making the index current), and transactions
        // that write nothing the index reads (key leases, rate budgets).
        if (position is { } current && (current.Covers(now) || writes.Explains(current.Xmax, current.Xip, now)))
            return current;
        Interlocked.Increment(ref requestCatchUps);
        await CatchUpAsync(ticket, cancellationToken);
        return position!;
    }

    /// <summary>Catches up with every change committed so far (the background feed's entry).</summary>
    public Task CatchUpAsync(CancellationToken cancellationToken) => CatchUpAsync(Interlocked.Increment(ref checks), cancellationToken);

    /// <summary>Whether PostgreSQL has anything the index lacks (the feed's cheap poll).</summary>
    public async Task<bool> IsBehindAsync(CancellationToken cancellationToken)
    {
        var now = await ReadSnapshotAsync(cancellationToken);
        return position is not { } current || !current.Covers(now);
    }

    private async Task<Snapshot> ReadSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection);
        return Snapshot.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    private async Task CatchUpAsync(long ticket, CancellationToken cancellationToken)
    {
        await catchUpGate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref covered) >= ticket)
                return; // a catch-up that began after this check's snapshot has finished
            var upTo = Volatile.Read(ref checks);
            await ReadAndApplyAsync(cancellationToken);
            Volatile.Write(ref covered, upTo);
            if (position is { } now)
                writes.Forget(now.Xmin);
        }
        finally
        {
            catchUpGate.Release();
        }
    }

    private async Task ReadAndApplyAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        // The first statement fixes the transaction's snapshot; everything below reads in it.
        string version;
        Snapshot snapshot;
        long epoch;
        await using (var command = new NpgsqlCommand(
            "SELECT last_value, pg_current_snapshot()::text, coalesce((SELECT epoch FROM band_index_epoch), 0) FROM dataset_version", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            version = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            snapshot = Snapshot.Parse(reader.GetString(1));
            epoch = reader.GetInt64(2);
        }

        var current = data;
        var previous = position;
        var fxTable = await RowReader.FxAsync(connection, transaction, cancellationToken);
        if (current is null || previous is null || previous.Epoch != epoch)
        {
            // The start-up load, or a TRUNCATE since: everything, into a new index the readers do not see yet.
            var fresh = new IndexData(tagger: tags);
            var estimate = await EstimateRowsAsync(connection, transaction, cancellationToken);
            fresh.EnsureCapacity(estimate);
            await using (var command = new NpgsqlCommand(RowReader.Select("true"), connection, transaction))
                await RowReader.AppendAsync(command, fresh, cancellationToken);
            // Tables in the order TRUNCATE … CASCADE takes them (datapoints before the employers it
            // references), so a concurrent TRUNCATE waits instead of deadlocking.
            foreach (var (id, slug) in await RowReader.EmployersAsync(connection, transaction, null, cancellationToken))
                fresh.SetEmployer(id, slug);
            // Everything is read: the snapshot (and the tables' locks) are not held while compacting.
            await transaction.CommitAsync(cancellationToken);
            fresh.Compact(); // no reader sees it yet
            Interlocked.Increment(ref compactions);
            fresh.Trim();
            // The start-up load leaves as much garbage as the index itself (the columns before
            // compaction and trimming): one collection gives it back to the operating system now,
            // rather than a process at twice the index's size until the GC gets to it. Not on a
            // reload, when the old index still serves requests a blocking collection would stall.
            if (previous is null)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            fresh.Fx = fxTable;
            var generation = (previous?.Generation ?? 0) + 1;
            position = new IndexPosition(snapshot.Xmin, snapshot.Xmax, snapshot.Xip, epoch, version, generation);
            data = fresh; // the old index (if any) stays with the readers that hold it
            loadSeconds = started.Elapsed.TotalSeconds;
            logger.LogInformation(
                "Band index loaded: {Datapoints} datapoints in {Seconds:0.00} s, {Bytes} bytes ({BytesPerDatapoint:0.0} per datapoint)",
                fresh.Live, loadSeconds, fresh.Bytes, fresh.Live == 0 ? 0 : (double)fresh.Bytes / fresh.Live);
            loaded.TrySetResult();
            return;
        }

        // Changes since the previous snapshot's xmin: every transaction that snapshot did not show.
        var since = previous.Xmin.ToString(CultureInfo.InvariantCulture);
        var deleted = new List<Guid>();
        await using (var command = new NpgsqlCommand("SELECT id FROM datapoint_deletions WHERE change_xid >= @since::xid8", connection, transaction))
        {
            command.Parameters.AddWithValue("since", since);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                deleted.Add(reader.GetGuid(0));
        }
        var rows = new List<IndexRow>();
        await using (var command = new NpgsqlCommand(RowReader.Select("d.change_xid >= @since::xid8"), connection, transaction))
        {
            command.Parameters.AddWithValue("since", since);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            var parser = new RowReader.Reader(current);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(parser.Read(reader));
        }
        var unknown = rows.Select(r => r.EmployerId).Where(id => !current.KnowsEmployer(id)).Distinct().ToArray();
        var employers = unknown.Length == 0 ? [] : await RowReader.EmployersAsync(connection, transaction, unknown, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var change = new Change(employers, deleted, rows, fxTable);
        // Room for the rows first, outside the lock: growing copies every column.
        current.Reserve(rows.Count);
        current.Gate.EnterWriteLock();
        var locked = Stopwatch.GetTimestamp();
        try
        {
            var changed = change.ApplyTo(current);
            position = new IndexPosition(snapshot.Xmin, snapshot.Xmax, snapshot.Xip, epoch, version, previous.Generation + (changed ? 1 : 0));
        }
        finally
        {
            current.Gate.ExitWriteLock();
        }
        var held = Stopwatch.GetElapsedTime(locked);
        // A compaction building its copy meanwhile applies it there too, before the copy is published.
        compactionLog?.Add(change);
        if (rows.Count > 0 || deleted.Count > 0)
            logger.LogDebug("Band index caught up: {Rows} rows read, {Deleted} deletions, {Elapsed} ms, {Locked:0.0} ms of it under the write lock",
                rows.Count, deleted.Count, started.ElapsedMilliseconds, held.TotalMilliseconds);
    }

    /// <summary>
    /// Puts the index back in role-and-region order when enough rows are out of place: an eighth
    /// of them after a catch-up, a sixty-fourth when the feed has heard nothing for five seconds
    /// (<paramref name="quiet"/>), so a large load leaves the index in order soon after it ends.
    /// Only the feed calls it: a request's own catch-up never compacts, and never waits behind one.
    /// The copy is built outside <see cref="catchUpGate"/> while catch-ups go on applying changes to
    /// the index in use; each change is logged and applied to the copy too, under the gate, just
    /// before the copy replaces the index (<see cref="IndexData.Compaction"/>). A failed compaction
    /// (say, no memory for the copy) is logged and leaves the index as it is, in use, for a minute.
    /// </summary>
    public async Task TidyAsync(bool quiet, CancellationToken cancellationToken)
    {
        var fraction = quiet ? 64 : 8;
        if (data is not { } current || !OutOfPlace(current, fraction) || Stopwatch.GetTimestamp() < retryCompactionAt)
            return;
        var started = Stopwatch.StartNew();
        IndexData source;
        IndexData.Compaction compaction;
        await catchUpGate.WaitAsync(cancellationToken);
        try
        {
            // Under the gate no change is being applied: the live rows and their order are fixed here.
            if (data is not { } now || !OutOfPlace(now, fraction))
                return;
            source = now;
            compaction = now.BeginCompaction();
            compactionLog = [];
        }
        finally
        {
            catchUpGate.Release();
        }
        try
        {
            var disorder = source.Disorder;
            // On a low-priority thread: the copy is a burst of CPU no request waits for.
            var copy = await BackgroundWork.RunAsync(compaction.Build, "band index compaction");
            var building = started.ElapsedMilliseconds;
            await catchUpGate.WaitAsync(cancellationToken);
            try
            {
                // A reload (a TRUNCATE) since replaced the index: the copy is of one no longer in use.
                if (!ReferenceEquals(data, source))
                    return;
                var log = compactionLog!;
                foreach (var change in log)
                    change.ApplyTo(copy);
                // Same content as the index it replaces: the position and the ETags stay.
                data = copy;
                Interlocked.Increment(ref compactions);
                logger.LogInformation(
                    "Band index compacted: {Disorder} rows were out of place, {Datapoints} datapoints, built in {Building} ms beside {Changes} catch-ups, replayed under the gate in {Replay} ms",
                    disorder, copy.Live, building, log.Count, started.ElapsedMilliseconds - building);
            }
            finally
            {
                catchUpGate.Release();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            retryCompactionAt = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
            logger.LogWarning(ex, "Band index compaction failed; the index stays as it is, next try in a minute");
        }
        finally
        {
            // However the compaction ended, catch-ups stop logging for it.
            compactionLog = null;
        }
    }

    private bool OutOfPlace(IndexData index, int fraction)
    {
        var disorder = index.Disorder;
        return disorder >= Math.Max(1, options.CurrentValue.CompactFromRows) && disorder >= index.Count / fraction;
    }

    /// <summary>
    /// The changes one catch-up read from PostgreSQL, applied to the index in use and, while a
    /// compaction builds its copy, to the copy as well (so, whole and idempotent: by id).
    /// </summary>
    private sealed record Change(IReadOnlyList<(int Id, string Slug)> Employers, IReadOnlyList<Guid> Deleted, IReadOnlyList<IndexRow> Rows, FxTable Rates)
    {
        /// <summary>Applies the change (under the index's write lock, or before it is published); returns whether the content changed.</summary>
        public bool ApplyTo(IndexData index)
        {
            var changed = false;
            foreach (var (id, slug) in Employers)
                index.SetEmployer(id, slug);
            // Deletions first: a row deleted and written again since is then present, as it is in PostgreSQL.
            foreach (var id in Deleted)
                changed |= index.Delete(id);
            foreach (var row in Rows)
                changed |= index.Upsert(row);
            if (Rates.Signature != index.Fx.Signature)
            {
                index.Fx = Rates;
                changed = true;
            }
            return changed;
        }
    }

    private static async Task<int> EstimateRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'datapoints'::regclass", connection, transaction);
        var estimate = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return (int)Math.Min(int.MaxValue / 2, estimate + estimate / 50 + 1024);
    }

    public void Dispose()
    {
        meter.Dispose();
        catchUpGate.Dispose();
    }
}
