using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>A new employer.</summary>
public sealed record EmployerRequest
{
    /// <summary>Slug: lower-case letters, digits and single hyphens, at most 100 characters.</summary>
    /// <example>mistral-ai</example>
    public string? Slug { get; init; }
    /// <summary>Display name.</summary>
    /// <example>Mistral AI</example>
    public string? Name { get; init; }
}

/// <summary>A new role of the controlled vocabulary.</summary>
public sealed record RoleRequest
{
    /// <summary>Slug, e.g. <c>applied-scientist</c>.</summary>
    /// <example>applied-scientist</example>
    public string? Slug { get; init; }
    /// <summary>Display title.</summary>
    /// <example>Applied Scientist</example>
    public string? Title { get; init; }
    /// <summary>Job family, e.g. <c>research</c>.</summary>
    /// <example>research</example>
    public string? Family { get; init; }
}

/// <summary>A new region; its parent is implied by the code (<c>us-ca-sacramento</c> → <c>us-ca</c>).</summary>
public sealed record RegionRequest
{
    /// <summary>Lower-case code: country (ISO 3166-1), subdivision (ISO 3166-2) or subdivision + metro name.</summary>
    /// <example>us-ca-sacramento</example>
    public string? Code { get; init; }
    /// <summary>Display name.</summary>
    public string? Name { get; init; }
    /// <summary>Default ISO 4217 currency of the region.</summary>
    /// <example>USD</example>
    public string? Currency { get; init; }
}

public sealed class EmployerRequestValidator : AbstractValidator<EmployerRequest>
{
    public EmployerRequestValidator()
    {
        RuleFor(r => r.Slug).NotEmpty().MaximumLength(100).Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
    }
}

public sealed class RoleRequestValidator : AbstractValidator<RoleRequest>
{
    public RoleRequestValidator()
    {
        RuleFor(r => r.Slug).NotEmpty().MaximumLength(100).Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Family).NotEmpty().MaximumLength(100).Matches(Slugs.Pattern).WithMessage(Slugs.Message);
    }
}

public sealed class RegionRequestValidator : AbstractValidator<RegionRequest>
{
    public RegionRequestValidator(TaxonomyCache taxonomy)
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Code).NotEmpty().MaximumLength(100)
            .Matches("^[a-z]{2}(-[a-z0-9]+)*$").WithMessage("Must be a country code (us), subdivision code (us-ca) or subdivision + metro name (us-ca-sacramento), in lower case.")
            .MustAsync(async (code, ct) => Regions.ParentOf(code!) is not { } parent || (await taxonomy.GetAsync(ct)).Regions.ContainsKey(parent))
            .WithMessage(r => $"The parent region '{Regions.ParentOf(r.Code!)}' does not exist; add it first.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Currency).NotEmpty().Must(Currencies.IsKnown).WithMessage("Must be an ISO 4217 code in upper case, e.g. EUR.");
    }
}

public static class Regions
{
    /// <summary>The parent a region code implies: none for a country, the country for a subdivision, the subdivision for a metro.</summary>
    public static string? ParentOf(string code)
    {
        var parts = code.Split('-');
        return parts.Length switch
        {
            1 => null,
            2 => parts[0],
            _ => $"{parts[0]}-{parts[1]}",
        };
    }

    public static string KindOf(string code) => code.Split('-').Length switch
    {
        1 => "country",
        2 => "subdivision",
        _ => "metro",
    };
}

public static class TaxonomyAdminEndpoints
{
    public static IEndpointRouteBuilder MapTaxonomyAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Taxonomy").RequireAuthorization(Scopes.Admin);

        group.MapPost("/employers", CreateEmployer).WithJsonBody<EmployerRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreateEmployer").WithSummary("Add an employer")
            .WithDescription("Adds an employer ahead of its data (ingest also creates employers). 409 if the slug exists.");
        group.MapPost("/roles", CreateRole).WithJsonBody<RoleRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreateRole").WithSummary("Add a role")
            .WithDescription("Extends the controlled vocabulary of roles. 409 if the slug exists.");
        group.MapPost("/regions", CreateRegion).WithJsonBody<RegionRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreateRegion").WithSummary("Add a region")
            .WithDescription("Adds a country, subdivision or metro; the parent is implied by the code and must exist. 409 if the code exists.");
        return app;
    }

    public static async Task<Results<Created<EmployerResponse>, ProblemHttpResult>> CreateEmployer(
        JsonBody<EmployerRequest> body, CompDbContext db, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO employers (slug, name, created_at) VALUES ({request.Slug}, {request.Name}, now()) ON CONFLICT (slug) DO NOTHING", cancellationToken);
        if (inserted == 0)
            return Conflict($"The employer '{request.Slug}' already exists.");
        return TypedResults.Created($"/v1/employers/{request.Slug}/levels", new EmployerResponse(request.Slug!, request.Name!));
    }

    public static async Task<Results<Created<RoleResponse>, ProblemHttpResult>> CreateRole(
        JsonBody<RoleRequest> body, CompDbContext db, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO roles (slug, title, family) VALUES ({request.Slug}, {request.Title}, {request.Family}) ON CONFLICT (slug) DO NOTHING", cancellationToken);
        if (inserted == 0)
            return Conflict($"The role '{request.Slug}' already exists.");
        taxonomy.Invalidate();
        return TypedResults.Created("/v1/roles", new RoleResponse(request.Slug!, request.Title!, request.Family!));
    }

    public static async Task<Results<Created<RegionResponse>, ProblemHttpResult>> CreateRegion(
        JsonBody<RegionRequest> body, CompDbContext db, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var parent = Regions.ParentOf(request.Code!);
        var kind = Regions.KindOf(request.Code!);
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO regions (code, name, parent_code, kind, currency) VALUES ({request.Code}, {request.Name}, {parent}, {kind}, {request.Currency}) ON CONFLICT (code) DO NOTHING",
            cancellationToken);
        if (inserted == 0)
            return Conflict($"The region '{request.Code}' already exists.");
        taxonomy.Invalidate();
        return TypedResults.Created($"/v1/regions?parent={parent}", new RegionResponse(request.Code!, request.Name!, parent, kind, request.Currency!));
    }

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Already exists.");
}
