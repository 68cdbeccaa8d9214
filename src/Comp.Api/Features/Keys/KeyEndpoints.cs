using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Keys;

/// <summary>A new API key.</summary>
public sealed record KeyRequest
{
    /// <summary>Who or what uses the key.</summary>
    /// <example>hris-sync</example>
    public string? Name { get; init; }

    /// <summary>Any of <c>read</c>, <c>ingest</c>, <c>exact</c> (read, with exact band figures instead of protected ones), <c>admin</c> (implies the others).</summary>
    /// <example>["ingest"]</example>
    public string[]? Scopes { get; init; }
}

/// <summary>A created key. <c>key</c> is the secret: it is shown here once and never again.</summary>
public sealed record KeyCreatedResponse(Guid Id, string Name, string[] Scopes, string Key, DateTimeOffset CreatedAt);

/// <summary>A stored key, without its secret.</summary>
public sealed record KeyResponse(Guid Id, string Name, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed class KeyRequestValidator : AbstractValidator<KeyRequest>
{
    public KeyRequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(k => k.Name).NotEmpty().MaximumLength(200);
        RuleFor(k => k.Scopes).NotEmpty()
            .Must(s => s!.All(Auth.Scopes.All.Contains)).WithMessage($"Scopes are any of: {string.Join(", ", Auth.Scopes.All)}.");
    }
}

public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization(Scopes.Admin);

        group.MapPost("/", Create)
            .WithJsonBody<KeyRequest>()
            .WithName("CreateKey")
            .WithSummary("Create an API key")
            .WithDescription("Returns the secret `key` once; only its SHA-256 hash is stored.");
        group.MapGet("/", List)
            .WithName("ListKeys")
            .WithSummary("List API keys")
            .WithDescription("Every key with its scopes, creation, revocation and last use; never a secret.");
        group.MapDelete("/{id:guid}", Revoke)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("RevokeKey")
            .WithSummary("Revoke an API key")
            .WithDescription("The key is refused (401) from its next request on, on every route.");
        return app;
    }

    public static async Task<Created<KeyCreatedResponse>> Create(JsonBody<KeyRequest> body, CompDbContext db, CancellationToken cancellationToken)
    {
        var created = await CreateAsync(db, body.Value!.Name!, body.Value.Scopes!, cancellationToken);
        return TypedResults.Created($"/v1/keys/{created.Id}", created);
    }

    public static async Task<Ok<List<KeyResponse>>> List(CompDbContext db, ApiKeyUsage usage, ILogger<ApiKeyUsageWriter> logger, CancellationToken cancellationToken)
    {
        // This instance's noted uses first (the others write theirs every ApiKeyUsageWriter.Interval);
        // if that write fails the listing still answers, with lastUsedAt as last written.
        try
        {
            await usage.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Writing the keys' lastUsedAt before listing them failed");
        }
        return TypedResults.Ok(await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt)
            .Select(k => new KeyResponse(k.Id, k.Name, k.Scopes, k.CreatedAt, k.RevokedAt, k.LastUsedAt)).ToListAsync(cancellationToken));
    }

    /// <param name="id" example="0195c2b4-7f4e-7d2a-9c1e-3b5f7a9d2c10">The key to revoke.</param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, CompDbContext db, CancellationToken cancellationToken)
    {
        var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, DateTimeOffset.UtcNow), cancellationToken);
        return revoked == 0 ? Problems.NotFound($"No active key {id}.") : TypedResults.NoContent();
    }

    /// <summary>Creates a key (<see cref="AuthExtensions.CreateKeyAsync"/>, which the <c>create-key</c> command uses too).</summary>
    public static async Task<KeyCreatedResponse> CreateAsync(CompDbContext db, string name, string[] scopes, CancellationToken cancellationToken)
    {
        var (key, secret) = await AuthExtensions.CreateKeyAsync(db, name, scopes, cancellationToken);
        return new KeyCreatedResponse(key.Id, key.Name, key.Scopes, secret, key.CreatedAt);
    }
}
