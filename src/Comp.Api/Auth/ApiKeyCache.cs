using System.Collections.Concurrent;
using System.Data;
using Comp.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Comp.Api.Auth;

/// <summary>
/// An active key as the cache holds it, with what every request of it needs made once: its
/// principal (claims never change for one cached key: a change to the key makes a new one), its
/// budget partition and its scopes' answers.
/// </summary>
public sealed record CachedKey(Guid Id, string Name, string[] Scopes)
{
    private System.Security.Claims.ClaimsPrincipal? principal;

    /// <summary>The rate budget this key's requests count against.</summary>
    public string Partition { get; } = "key:" + Id;

    public bool IsAdmin { get; } = Scopes.Contains(Auth.Scopes.Admin);

    public bool Grants(string wanted) => Auth.Scopes.Grants(Scopes, wanted);

    /// <summary>The key's principal, shared by its requests (nothing in the pipeline changes a principal; each request gets its own ticket).</summary>
    public System.Security.Claims.ClaimsPrincipal Principal => principal ??= new(new ApiKeyIdentity(this));
}

/// <summary>The identity of a request made with a cached key: its claims, and the key itself for fast scope checks.</summary>
public sealed class ApiKeyIdentity(CachedKey key) : System.Security.Claims.ClaimsIdentity(ClaimsOf(key), ApiKeyAuthenticationHandler.SchemeName)
{
    public CachedKey Key { get; } = key;

    private static IEnumerable<System.Security.Claims.Claim> ClaimsOf(CachedKey key) =>
        new[] { new System.Security.Claims.Claim(ApiKeyAuthenticationHandler.KeyIdClaim, key.Id.ToString()), new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, key.Name) }
            .Concat(key.Scopes.Select(s => new System.Security.Claims.Claim(ApiKeyAuthenticationHandler.ScopeClaim, s)));
}

/// <summary>
/// The active API keys in memory, by the SHA-256 of their secret. A request checks its key against
/// the cache only once the cache is at the key table's version the primary showed <em>for this
/// request</em> (<see cref="RequestFreshness"/>, the same single-flight round trip as the band
/// index's freshness check): a trigger stamps <c>api_keys_version</c> with the id of every
/// transaction that creates, changes, revokes or deletes a key, so a key revoked on any instance is
/// refused on its next request everywhere, and a key created anywhere works at once. Any other
/// version than the cache's reloads the (small) table; a mistyped or unknown key costs no query.
/// </summary>
public sealed class ApiKeyCache(IServiceScopeFactory scopes)
{
    private sealed record Entry(string? Version, IReadOnlyDictionary<SecretHash, CachedKey> Keys);

    private readonly SemaphoreSlim reload = new(1, 1);
    private volatile Entry? current;
    private long reloads;

    /// <summary>Times the key table was read (for tests: not once per request).</summary>
    public long Reloads => Interlocked.Read(ref reloads);

    /// <summary>The key table's version the cache holds (null before its first load).</summary>
    public string? Version => current?.Version;

    /// <summary>The active key with this secret hash as the cache holds it, without asking the primary (under a key lease: <see cref="ApiKeyLease"/>).</summary>
    public CachedKey? Find(SecretHash secretHash) => current?.Keys.GetValueOrDefault(secretHash);

    /// <summary>Reads the key table again; returns the version read.</summary>
    public async Task<string?> RefreshAsync(CancellationToken cancellationToken) => (await ReloadAsync(null, cancellationToken)).Version;

    /// <summary>The active key with this secret hash, as of <paramref name="version"/> or later; null when there is none.</summary>
    public async Task<CachedKey?> FindAsync(SecretHash secretHash, string? version, CancellationToken cancellationToken)
    {
        var entry = current;
        if (entry is null || version is null || entry.Version != version)
            entry = await ReloadAsync(version, cancellationToken);
        return entry.Keys.GetValueOrDefault(secretHash);
    }

    private async Task<Entry> ReloadAsync(string? version, CancellationToken cancellationToken)
    {
        await reload.WaitAsync(cancellationToken);
        try
        {
            // Another request may have reloaded at this version while we waited.
            if (current is { } entry && version is not null && entry.Version == version)
                return entry;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
            var loaded = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                // One snapshot for the version and the keys, so the version names exactly what was read.
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                await using var command = new NpgsqlCommand("SELECT changed_by::text FROM api_keys_version WHERE id", connection, (NpgsqlTransaction)transaction.GetDbTransaction());
                var read = await command.ExecuteScalarAsync(cancellationToken) as string;
                var keys = await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null)
                    .Select(k => new { k.Id, k.Name, k.Scopes, k.SecretHash }).ToListAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new Entry(read, keys.ToDictionary(k => SecretHash.From(k.SecretHash), k => new CachedKey(k.Id, k.Name, k.Scopes)));
            });
            Interlocked.Increment(ref reloads);
            current = loaded;
            return loaded;
        }
        finally
        {
            reload.Release();
        }
    }
}

/// <summary>
/// <c>lastUsedAt</c>, written in the background: a request only notes its key's use in memory, and
/// <see cref="ApiKeyUsageWriter"/> writes the notes every <see cref="ApiKeyUsageWriter.Interval"/>
/// (and when the service stops, and before <c>GET /v1/keys</c> lists the keys), at most one row per
/// key. The column is not part of the key table's version: writing it reloads no cache.
/// </summary>
public sealed class ApiKeyUsage(IServiceScopeFactory scopes, LocalWrites writes)
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> pending = new();
    private readonly SemaphoreSlim writing = new(1, 1);

    /// <summary>
    /// Notes a use. Kept to the minute: a use less than a minute after the one already noted (and
    /// not yet written) changes nothing, so most requests only read the map, and a key's requests
    /// on every core do not queue for one lock.
    /// </summary>
    public void Record(Guid keyId, DateTimeOffset at)
    {
        if (pending.TryGetValue(keyId, out var noted) && at - noted < TimeSpan.FromMinutes(1))
            return;
        pending[keyId] = at;
    }

    /// <summary>Writes every noted use; a later use of the same key is kept for the next write.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken);
        try
        {
            var taken = new List<(Guid Id, DateTimeOffset At)>();
            foreach (var (id, at) in pending)
            {
                if (pending.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, at)))
                    taken.Add((id, at));
            }
            if (taken.Count == 0)
                return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
                // In id order, so two instances writing at once lock the rows in the same order.
                taken.Sort((a, b) => a.Id.CompareTo(b.Id));
                var ids = taken.Select(t => t.Id).ToArray();
                var ats = taken.Select(t => t.At).ToArray();
                await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
                {
                    // It writes nothing the band index reads: reads need not wait for it (LocalWrites).
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await writes.IgnoreAsync(
                        (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction(), cancellationToken);
                    await db.Database.ExecuteSqlInterpolatedAsync($"""
                        UPDATE api_keys SET last_used_at = GREATEST(last_used_at, u.at)
                        FROM unnest({ids}, {ats}) AS u(id, at) WHERE api_keys.id = u.id
                        """, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                });
            }
            catch
            {
                // Noted again for the next write, unless a later use is noted already.
                foreach (var (id, at) in taken)
                    pending.AddOrUpdate(id, at, (_, later) => later > at ? later : at);
                throw;
            }
        }
        finally
        {
            writing.Release();
        }
    }
}

/// <summary>Writes <see cref="ApiKeyUsage"/> every <see cref="Interval"/> and once more on the way out.</summary>
public sealed class ApiKeyUsageWriter(ApiKeyUsage usage, ILogger<ApiKeyUsageWriter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await WriteAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await WriteAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host gave up waiting: the uses noted since the last write are lost, nothing else.
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await usage.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The uses stay noted for the next write; lastUsedAt is informative, never a reason to fail a request.
            logger.LogWarning(ex, "Writing the keys' lastUsedAt failed; retrying in {Interval}", Interval);
        }
    }
}
