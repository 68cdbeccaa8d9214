using System.Security.Claims;

namespace Comp.Api.Auth;

/// <summary>Who is calling, as the API-key scheme tells it: for what a key owns (its peer groups).</summary>
public static class Callers
{
    /// <summary>
    /// A route for keys with <c>read</c> only, never for anonymous callers even when
    /// <c>Auth:AllowAnonymousRead</c> lets them read: what it serves belongs to a key (401 without one).
    /// </summary>
    public const string KeyedRead = "keyed-read";

    /// <summary>The caller's key id; null for an anonymous caller.</summary>
    public static Guid? KeyId(ClaimsPrincipal user) => user.Identity is ApiKeyIdentity key ? key.Key.Id : null;

    public static bool IsAdmin(ClaimsPrincipal user) => Scopes.Grants(user, Scopes.Admin);

    /// <summary>Whether the caller may see what <paramref name="owner"/> made: that key itself, or an admin.</summary>
    public static bool MaySee(ClaimsPrincipal user, Guid owner) => IsAdmin(user) || KeyId(user) == owner;
}
