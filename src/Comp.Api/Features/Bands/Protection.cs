using System.Security.Claims;
using System.Text;
using Comp.Api.Auth;
using Comp.Statistics.Privacy;

namespace Comp.Api.Features.Bands;

/// <summary>Configuration of the protected tier (<c>Privacy</c> section).</summary>
public sealed class PrivacyOptions
{
    /// <summary>
    /// <c>Privacy:Key</c>: the secret the protected tier's noise and content tags are derived from
    /// (at least 16 characters). Every instance of one deployment must share it; whoever has it
    /// can remove the noise. Required outside Development.
    /// </summary>
    public string? Key { get; set; }
}

/// <summary>Which figures a caller gets: exact for keys with the <c>exact</c> scope (admin implies it), protected for everyone else.</summary>
public enum DisclosureTier
{
    Exact,
    Protected,
}

/// <summary>The protected tier's keyed pieces: the PRF its noise is drawn from, the content tags, the public parameters.</summary>
public sealed class Protection
{
    public const string KeySetting = "Privacy:Key";

    public Protection(Prf prf, ContentTags tags, ProtectionParameters parameters)
    {
        Prf = prf;
        Tags = tags;
        Parameters = parameters;
    }

    public Prf Prf { get; }
    public ContentTags Tags { get; }
    public ProtectionParameters Parameters { get; }

    /// <summary>
    /// From <c>Privacy:Key</c> (bound to <see cref="PrivacyOptions"/>). Outside Development a missing or short key stops the start-up with
    /// an error that names the setting; in Development a random key is drawn per process (noise
    /// then changes at each restart: never for a deployment).
    /// </summary>
    public static Protection FromOptions(PrivacyOptions options, IHostEnvironment environment, ILogger logger)
    {
        var key = options.Key;
        byte[] bytes;
        if (string.IsNullOrEmpty(key))
        {
            if (!environment.IsDevelopment())
                throw new InvalidOperationException(
                    $"Set {KeySetting} (environment variable Privacy__Key): the secret of the protected tier's noise, at least {Prf.MinKeyBytes} characters, the same on every instance.");
            logger.LogWarning("{Setting} is not set: a random key for this process only (Development)", KeySetting);
            bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(key);
            if (bytes.Length < Prf.MinKeyBytes)
                throw new InvalidOperationException($"{KeySetting} must be at least {Prf.MinKeyBytes} characters.");
        }
        return new Protection(new Prf(bytes), new ContentTags(bytes), ProtectionParameters.Default);
    }

    /// <summary>The tier of a caller: <see cref="DisclosureTier.Exact"/> for a key with <c>exact</c> or <c>admin</c>.</summary>
    public static DisclosureTier TierOf(ClaimsPrincipal user) =>
        Scopes.Grants(user, Scopes.Exact)
            ? DisclosureTier.Exact
            : DisclosureTier.Protected;

    /// <summary>The wire name of a tier (the response's <c>disclosure</c>).</summary>
    public static string Name(DisclosureTier tier) => tier == DisclosureTier.Exact ? "exact" : "protected";
}
