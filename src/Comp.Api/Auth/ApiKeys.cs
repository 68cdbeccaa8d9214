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

    /// <summary>Rejects headers that cannot be a key before any database work.</summary>
    public static bool LooksValid(string? secret) =>
        !string.IsNullOrEmpty(secret) && secret.Length <= 200 && secret.All(c => c > ' ' && c < 127);
}
