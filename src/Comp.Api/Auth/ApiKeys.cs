using System.Security.Cryptography;
using System.Text;

namespace Comp.Api.Auth;

/// <summary>
/// The scopes of an API key (SPEC §5). <c>admin</c> implies the others; <c>exact</c> (exact band
/// figures instead of protected ones, for trusted analysts and audits) implies <c>read</c>.
/// </summary>
public static class Scopes
{
    public const string Read = "read";
    public const string Ingest = "ingest";
    public const string Admin = "admin";
    public const string Exact = "exact";

    public static readonly IReadOnlyList<string> All = [Read, Ingest, Admin, Exact];

    public static bool Grants(IEnumerable<string> held, string wanted)
    {
        var scopes = held as ICollection<string> ?? held.ToList();
        return scopes.Contains(Admin) || scopes.Contains(wanted) || (wanted == Read && scopes.Contains(Exact));
    }

    /// <summary>
    /// Whether the caller's key grants <paramref name="wanted"/>, read off the key itself rather than
    /// its claims; an anonymous caller holds no scope (the API-key scheme is the only one).
    /// </summary>
    public static bool Grants(System.Security.Claims.ClaimsPrincipal user, string wanted) =>
        user.Identity is ApiKeyIdentity key && key.Key.Grants(wanted);
}

public static class ApiKeySecrets
{
    public const string HeaderName = "X-Api-Key";
    private const string Prefix = "comp_";

    /// <summary>A new secret: 256 random bits, URL-safe, with a prefix that secret scanners can spot.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Secrets are random, so a fast hash is enough: nothing can be guessed from it. Looking keys
    /// up by hash means no secret is ever compared character by character.
    /// </summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>The SHA-256 of a secret as a value, without allocating (the key cache's lookup key).</summary>
    public static SecretHash HashOf(string secret)
    {
        // A secret that looks valid is at most 200 ASCII characters (LooksValid).
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(secret.Length, 256))];
        var length = Encoding.UTF8.GetBytes(secret.AsSpan(0, Math.Min(secret.Length, 256)), utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        return SecretHash.From(hash);
    }

    /// <summary>Rejects headers that cannot be a key before any database work.</summary>
    public static bool LooksValid(string? secret) =>
        !string.IsNullOrEmpty(secret) && secret.Length <= 200 && secret.All(c => c > ' ' && c < 127);
}

/// <summary>A SHA-256 hash as four longs: a dictionary key that costs no allocation to make or compare.</summary>
public readonly record struct SecretHash(ulong A, ulong B, ulong C, ulong D)
{
    public static SecretHash From(ReadOnlySpan<byte> hash) => new(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]));
}
