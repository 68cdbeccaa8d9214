using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comp.Api.Auth;

/// <summary>
/// This instance's key lease: while it holds one, a request's key is checked from
/// <see cref="ApiKeyCache"/> without asking the primary for the key table's version (the one round
/// trip a keyed <c>GET /v1/levels</c> would otherwise pay). The lease is a row of
/// <c>api_key_leases</c>, taken at the version the cache holds, for <see cref="AuthOptions.KeyLeaseMilliseconds"/>
/// and renewed by <see cref="ApiKeyLeaseKeeper"/> four times a lease. A transaction that revokes,
/// narrows or deletes a key waits until every lease has expired before it commits, and no lease can
/// be taken meanwhile (migration <c>KeyLeases</c>): so a key revoked anywhere is refused on its next
/// request on every instance, as without leases. The instance counts its lease from just before
/// it asks, so it lapses here before it lapses in PostgreSQL.
/// </summary>
public sealed class ApiKeyLease(IOptionsMonitor<AuthOptions> options)
{
    private long heldUntil; // Stopwatch ticks; 0: none

    /// <summary>The longest lease an instance may take; the trigger waits this long where it cannot see the leases (isolation above READ COMMITTED).</summary>
    public const int MaxMilliseconds = 5_000;

    public string Instance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Whether a key found in the cache may be trusted without asking the primary.</summary>
    public bool Holds => Stopwatch.GetTimestamp() < Volatile.Read(ref heldUntil);

    public TimeSpan Length => TimeSpan.FromMilliseconds(Math.Clamp(options.CurrentValue.KeyLeaseMilliseconds, 0, MaxMilliseconds));

    /// <summary>Notes a lease granted by a request sent at <paramref name="askedAt"/> (Stopwatch ticks), a tenth shorter than granted.</summary>
    internal void Granted(long askedAt, TimeSpan length) =>
        Volatile.Write(ref heldUntil, askedAt + (long)(length.TotalSeconds * 0.9 * Stopwatch.Frequency));

    internal void Drop() => Volatile.Write(ref heldUntil, 0);
}

/// <summary>Takes and renews <see cref="ApiKeyLease"/>, reloading the key cache first whenever the key table moved.</summary>
public sealed class ApiKeyLeaseKeeper(ApiKeyLease lease, ApiKeyCache keys, NpgsqlDataSource dataSource, Data.LocalWrites writes, ILogger<ApiKeyLeaseKeeper> logger) : BackgroundService
{
    // The version row is read FOR SHARE: a transaction that changes keys holds it (the trigger), so a
    // renewal waits for it and then sees its version, never the one before (READ COMMITTED follows the update).
    private const string Renew = """
        WITH v AS (SELECT changed_by FROM api_keys_version WHERE id FOR SHARE)
        INSERT INTO api_key_leases (instance, seen, expires_at)
        SELECT @instance, v.changed_by, now() + @length FROM v WHERE v.changed_by::text = @loaded
        ON CONFLICT (instance) DO UPDATE SET seen = excluded.seen, expires_at = excluded.expires_at
        RETURNING 1
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var length = lease.Length;
            if (length <= TimeSpan.Zero)
            {
                lease.Drop();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }
            try
            {
                await RenewAsync(length, stoppingToken);
                if (failing)
                    logger.LogInformation("Key lease renewed again");
                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The lease lapses on its own: requests then ask the primary, as without leases.
                if (!failing)
                    logger.LogWarning(ex, "Renewing the key lease failed; keys are checked against the primary until it is renewed");
                failing = true;
            }
            await Task.Delay(length / 4, stoppingToken);
        }
    }

    private async Task RenewAsync(TimeSpan length, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var loaded = keys.Version ?? await keys.RefreshAsync(cancellationToken);
            var askedAt = Stopwatch.GetTimestamp();
            // The renewal locks a row, so its transaction has an id, noted before it commits so that no
            // read waits for the band index to catch up on it: it writes nothing the index reads (Data.LocalWrites).
            bool granted;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await using (var command = new NpgsqlCommand(Renew, connection, transaction))
                {
                    command.Parameters.AddWithValue("instance", lease.Instance);
                    command.Parameters.AddWithValue("length", length);
                    command.Parameters.AddWithValue("loaded", (object?)loaded ?? DBNull.Value);
                    granted = await command.ExecuteScalarAsync(cancellationToken) is not null;
                }
                await writes.IgnoreAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            if (granted)
            {
                lease.Granted(askedAt, length);
                return;
            }
            // The key table moved since the cache was loaded: no lease at the old version.
            lease.Drop();
            await keys.RefreshAsync(cancellationToken);
        }
    }

    /// <summary>Gives the lease back, so a revocation does not wait for an instance that has stopped.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        lease.Drop();
        await base.StopAsync(cancellationToken);
        try
        {
            await using var command = dataSource.CreateCommand("DELETE FROM api_key_leases WHERE instance = @instance OR expires_at < now() - interval '1 hour'");
            command.Parameters.AddWithValue("instance", lease.Instance);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Giving the key lease back failed; it expires on its own");
        }
    }

    public override void Dispose()
    {
        dataSource.Dispose();
        base.Dispose();
    }
}
