using System.Security.Claims;
using System.Text.Encodings.Web;
using Comp.Api.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comp.Api.Auth;

public sealed class AuthOptions
{
    /// <summary>Lets clients without a key use read routes.</summary>
    public bool AllowAnonymousRead { get; set; } = true;

    /// <summary>An admin key accepted from configuration, for the first administrator.</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>
    /// How long a key lease lasts (<see cref="ApiKeyLease"/>, at most 5,000): while an instance holds
    /// one it checks keys from memory, and a change that revokes or narrows a key waits up to this
    /// long before it commits. 0: no leases; every keyed request asks the primary for the key table's version.
    /// </summary>
    public int KeyLeaseMilliseconds { get; set; } = 1_000;
}

/// <summary>Authenticates the <c>X-Api-Key</c> header against the stored key hashes (held in <see cref="ApiKeyCache"/>).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyCache keys,
    ApiKeyLease lease,
    ApiKeyUsage usage,
    RequestFreshness freshness,
    TimeProvider clock,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    public const string KeyIdClaim = "key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeySecrets.HeaderName, out var values))
            return AuthenticateResult.NoResult();
        var secret = values.ToString();
        if (values.Count != 1 || !ApiKeySecrets.LooksValid(secret))
            return AuthenticateResult.Fail("The API key is malformed.");

        // From memory: under this instance's key lease as the cache holds it (a revocation waits
        // until every lease has lapsed), else once the cache is at the key table's version the
        // primary shows for this request. Either way a key revoked anywhere is refused at once, on
        // every instance. A key the cache does not know may be new: the primary is asked.
        var hash = ApiKeySecrets.HashOf(secret);
        var key = lease.Holds ? keys.Find(hash) : null;
        if (key is null)
        {
            var state = await freshness.GetAsync(Context.RequestAborted);
            key = await keys.FindAsync(hash, state.KeysVersion, Context.RequestAborted);
        }
        if (key is null)
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        usage.Record(key.Id, clock.GetUtcNow());
        return AuthenticateResult.Success(new AuthenticationTicket(key.Principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "Authentication required.",
            $"Send a valid API key in the {ApiKeySecrets.HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "Forbidden.", "The API key does not have the scope this route needs.");

    private async Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
            Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{ApiKeySecrets.HeaderName}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>A route needs this scope; anonymous callers pass only for <c>read</c> when allowed.</summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeAuthorizationHandler(IOptionsMonitor<AuthOptions> options) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            if (Scopes.Grants(user, requirement.Scope))
                context.Succeed(requirement);
        }
        else if (requirement.Scope == Scopes.Read && options.CurrentValue.AllowAnonymousRead)
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Stores the configured bootstrap admin key at start-up, once the migrations are applied.</summary>
internal sealed class BootstrapKeyStartupTask(IOptions<AuthOptions> options) : IDatabaseStartupTask
{
    public Task RunAsync(CompDbContext db, CancellationToken cancellationToken) =>
        AuthExtensions.EnsureBootstrapKeyAsync(db, options.Value.BootstrapAdminKey, cancellationToken);
}

public static class AuthExtensions
{
    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthOptions>(configuration.GetSection("Auth"));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyLease>();
        services.AddHostedService(sp =>
        {
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<IConfiguration>().GetConnectionString("Comp")) { ApplicationName = "comp-key-lease" };
            return new ApiKeyLeaseKeeper(sp.GetRequiredService<ApiKeyLease>(), sp.GetRequiredService<ApiKeyCache>(),
                Npgsql.NpgsqlDataSource.Create(connection.ConnectionString), sp.GetRequiredService<LocalWrites>(), sp.GetRequiredService<ILogger<ApiKeyLeaseKeeper>>());
        });
        services.AddSingleton<ApiKeyUsage>();
        services.AddHostedService<ApiKeyUsageWriter>();
        services.AddSingleton<IDatabaseStartupTask, BootstrapKeyStartupTask>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Read, p => p.AddRequirements(new ScopeRequirement(Scopes.Read)))
            .AddPolicy(Scopes.Ingest, p => p.AddRequirements(new ScopeRequirement(Scopes.Ingest)))
            .AddPolicy(Scopes.Admin, p => p.AddRequirements(new ScopeRequirement(Scopes.Admin)))
            .AddPolicy(Callers.KeyedRead, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(Scopes.Read)));
        return services;
    }

    /// <summary>
    /// A request that presents a key must present a valid one, on every route — also on routes
    /// that anonymous callers may use — so a revoked or mistyped key never passes unnoticed.
    /// </summary>
    public static IApplicationBuilder UseRejectInvalidApiKeys(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.ContainsKey(ApiKeySecrets.HeaderName) && context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
                return;
            }
            await next(context);
        });

    /// <summary>
    /// Creates a key; shared by the <c>POST /v1/keys</c> route and the <c>create-key</c> command.
    /// Returns the stored key and its secret, which is never stored and can be shown only now.
    /// </summary>
    public static async Task<(ApiKey Key, string Secret)> CreateKeyAsync(CompDbContext db, string name, string[] scopes, CancellationToken cancellationToken)
    {
        var secret = ApiKeySecrets.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Scopes = scopes.Distinct().ToArray(),
            SecretHash = ApiKeySecrets.Hash(secret),
            CreatedAt = new DateTimeOffset(DateTime.UtcNow.Ticks / 10 * 10, TimeSpan.Zero),
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    /// <summary>
    /// Ensures the configured bootstrap admin key exists as a stored key. Once revoked it stays
    /// revoked: an operator who revokes it must also remove it from configuration.
    /// </summary>
    public static async Task EnsureBootstrapKeyAsync(CompDbContext db, string? secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(secret))
            return;
        if (!ApiKeySecrets.LooksValid(secret) || secret.Length < 16)
            throw new InvalidOperationException("Auth:BootstrapAdminKey must be at least 16 printable ASCII characters without spaces.");
        var hash = ApiKeySecrets.Hash(secret);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO api_keys (id, name, scopes, secret_hash, created_at)
            VALUES (gen_random_uuid(), 'bootstrap-admin', ARRAY['admin'], {hash}, now())
            ON CONFLICT (secret_hash) DO NOTHING
            """, cancellationToken);
    }
}
