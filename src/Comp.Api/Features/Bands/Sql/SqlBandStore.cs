using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Comp.Statistics.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Comp.Api.Features.Bands.Sql;

/// <summary>The read replica band queries may use (<c>ConnectionStrings:CompRead</c>).</summary>
public sealed class ReadReplica(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>How long a request waits for the replica to replay the primary's latest write before it reads the primary instead.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Band data from PostgreSQL: a cut's candidate rows, narrowed by the filters the covering
/// indexes serve (<see cref="CandidateFilter"/>), are read into a column batch like the one the
/// in-memory index holds, and the same <see cref="BandEngine"/> computes the cells from it. So the
/// two sources share every rule: PostgreSQL only selects rows. Reads go to the replica when one is
/// configured and has replayed the primary's position read with the dataset version.
/// </summary>
public sealed class SqlBandStore(
    CompDbContext db,
    IOptionsMonitor<AgingOptions> aging,
    ContentTags tags,
    ReadReplica? replica = null) : IBandStore, IAsyncDisposable
{
    private string? version;
    private string? snapshotToken;
    private NpgsqlLogSequenceNumber primaryLsn;
    private NpgsqlConnection? replicaConnection;
    private bool replicaBehind;

    public string? ReadFromSource { get; private set; }

    /// <summary>
    /// The dataset version and the primary's WAL position, read together from the primary. Band
    /// data is then read from a source that has replayed at least that position, so no answer is
    /// older than the version (and its ETag) it carries — for every client, not only the writer.
    /// </summary>
    public async Task<string> DatasetVersionAsync(CancellationToken cancellationToken)
    {
        if (version is not null)
            return version;
        var connection = await PrimaryAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT last_value, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, " +
            $"pg_snapshot_xmin(pg_current_snapshot())::text FROM {CompDbContext.DatasetVersionSequence}", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        version = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        primaryLsn = reader.GetFieldValue<NpgsqlLogSequenceNumber>(1);
        snapshotToken = version + ":" + reader.GetString(2);
        return version;
    }

    public async Task<string> SnapshotTokenAsync(CancellationToken cancellationToken)
    {
        await DatasetVersionAsync(cancellationToken);
        return snapshotToken!;
    }

    public async Task<BandData> GetAsync(BandQuery query, CancellationToken cancellationToken)
    {
        var connection = await ReadConnectionAsync(cancellationToken);
        // A protected answer needs each row's content tag, so its id; an exact one reads no ids.
        var batch = new IndexData(postingLists: false, tagger: query.Protected ? tags : null);
        // One snapshot for the rows, the employers they name and the FX table.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var command = new NpgsqlCommand { Connection = connection, Transaction = transaction })
        {
            command.CommandText = RowReader.Select(CandidateFilter.Sql(query, command.Parameters), ids: query.Protected);
            await RowReader.AppendAsync(command, batch, cancellationToken);
        }
        if (query.GroupBy.Contains(GroupKeys.Employer))
        {
            var ids = batch.EmployerIds.ToArray();
            foreach (var (id, slug) in await RowReader.EmployersAsync(connection, transaction, ids, cancellationToken))
                batch.SetEmployer(id, slug);
        }
        batch.Fx = await RowReader.FxAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Every filter is tested again by the engine: the candidate filter only narrows the read.
        return BandEngine.Run(batch, query, aging.CurrentValue.AnnualRate, long.MaxValue);
    }

    private async Task<NpgsqlConnection> PrimaryAsync(CancellationToken cancellationToken)
    {
        // The DbContext's connection: EF opens and closes it with the scope.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }

    /// <summary>The replica when one is configured and has caught up with the version read; else the primary.</summary>
    private async Task<NpgsqlConnection> ReadConnectionAsync(CancellationToken cancellationToken)
    {
        await DatasetVersionAsync(cancellationToken);
        if (replica is not null && replicaConnection is null && !replicaBehind)
        {
            var connection = await replica.DataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (true)
                {
                    await using var check = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= @lsn", connection);
                    check.Parameters.Add(new NpgsqlParameter("lsn", NpgsqlDbType.PgLsn) { Value = primaryLsn });
                    if (await check.ExecuteScalarAsync(cancellationToken) is true)
                    {
                        replicaConnection = connection;
                        break;
                    }
                    if (waited.Elapsed >= ReadReplica.MaxWait)
                    {
                        // Remembered for the rest of the request: a compare of 20 segments waits once, not 20 times.
                        replicaBehind = true;
                        break;
                    }
                    await Task.Delay(20, cancellationToken);
                }
            }
            finally
            {
                if (replicaConnection is null)
                    await connection.DisposeAsync();
            }
        }
        ReadFromSource = replicaConnection is not null ? ReadFrom.Replica : ReadFrom.Primary;
        return replicaConnection ?? await PrimaryAsync(cancellationToken);
    }

    /// <summary>Returns the replica connection to its pool at the end of the request.</summary>
    public ValueTask DisposeAsync() => replicaConnection?.DisposeAsync() ?? ValueTask.CompletedTask;
}
