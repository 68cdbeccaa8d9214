using System.Security.Cryptography;
using Comp.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Infrastructure;

/// <summary>
/// Idempotent writes. The key is claimed by inserting its record inside the write's own
/// transaction: a concurrent repeat's insert waits on the row until the first transaction ends,
/// then finds the committed record (and answers from it) or, if the first rolled back, claims the
/// key itself. So a batch is stored once however many copies race, and a crash leaves neither
/// rows nor a record behind.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How long a key is remembered. At least 24 h (the promise); expired keys may be reused.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    /// <summary>The request's key, or an error message naming the header when it is malformed.</summary>
    public static (string? Key, string? Error) ReadKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
            return (null, null);
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > 200 || key.Any(c => c < ' ' || c > '~'))
            return (null, $"The {Header} header must be one value of 1 to 200 printable ASCII characters.");
        return (key, null);
    }

    public static byte[] Hash(ReadOnlySpan<byte> body) => SHA256.HashData(body);

    /// <summary>
    /// Claims the key inside the open transaction. Returns null when this request owns the key
    /// (go on and write), or the record a previous request with the key left.
    /// </summary>
    public static async Task<IdempotencyRecord?> ClaimAsync(CompDbContext db, Guid apiKeyId, string key, string route, byte[] hash, CancellationToken cancellationToken)
    {
        // Expired keys go here, on the write path, through the created_at index: no background job needed.
        await PurgeAsync(db, cancellationToken);
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO idempotency_records (api_key_id, key, route, request_hash, status_code, response_body, created_at)
            VALUES ({apiKeyId}, {key}, {route}, {hash}, 0, '', now())
            ON CONFLICT (api_key_id, key) DO NOTHING
            """, cancellationToken);
        if (claimed == 1)
            return null;
        return await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.ApiKeyId == apiKeyId && r.Key == key, cancellationToken);
    }

    /// <summary>Stores the answer with the claimed key, in the same transaction as the write.</summary>
    public static Task CompleteAsync(CompDbContext db, Guid apiKeyId, string key, int status, string body, string? location, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE idempotency_records SET status_code = {status}, response_body = {body}, location = {location}
            WHERE api_key_id = {apiKeyId} AND key = {key}
            """, cancellationToken);

    /// <summary>The earlier answer for the same request, or a 409 when the key came with another request.</summary>
    public static IResult Replay(IdempotencyRecord record, string route, byte[] hash, HttpContext context)
    {
        if (record.Route != route || !CryptographicOperations.FixedTimeEquals(record.RequestHash, hash))
            return TypedResults.Problem(
                $"The {Header} '{record.Key}' was used with a different request. Use a new key for a new request.",
                statusCode: StatusCodes.Status409Conflict, title: "Idempotency key reused.");
        context.Response.Headers[ReplayedHeader] = "true";
        if (record.Location is not null)
            context.Response.Headers.Location = record.Location;
        return TypedResults.Text(record.ResponseBody, "application/json; charset=utf-8", statusCode: record.StatusCode);
    }

    /// <summary>Purges expired keys at start-up too, once the migrations are applied.</summary>
    public static IServiceCollection AddIdempotency(this IServiceCollection services) =>
        services.AddSingleton<IDatabaseStartupTask, PurgeAtStartup>();

    private sealed class PurgeAtStartup : IDatabaseStartupTask
    {
        public Task RunAsync(CompDbContext db, CancellationToken cancellationToken) => PurgeAsync(db, cancellationToken);
    }

    /// <summary>Forgets keys older than <see cref="Retention"/>.</summary>
    public static Task<int> PurgeAsync(CompDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM idempotency_records WHERE created_at < {DateTimeOffset.UtcNow - Retention}", cancellationToken);
}
