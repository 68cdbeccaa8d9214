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

/// <summary>
/// Attributes to set on an employer. A field left out keeps its value; a field sent as null clears it.
/// </summary>
public sealed record EmployerPatchRequest
{
    private readonly string? industry, stage, headcount, hq;

    /// <summary>Industry slug from GET /v1/industries.</summary>
    /// <example>ai-lab</example>
    public string? Industry { get => industry; init { industry = value; Sent.Add("industry"); } }
    /// <summary>public, private-late, private-growth, private-early, nonprofit or government.</summary>
    /// <example>private-late</example>
    public string? Stage { get => stage; init { stage = value; Sent.Add("stage"); } }
    /// <summary>Headcount band: 1-50, 51-200, 201-1000, 1001-5000, 5001-20000 or 20001-plus.</summary>
    /// <example>1001-5000</example>
    public string? Headcount { get => headcount; init { headcount = value; Sent.Add("headcount"); } }
    /// <summary>Region code of the headquarters, from GET /v1/regions.</summary>
    /// <example>us-ca-sf-bay-area</example>
    public string? Hq { get => hq; init { hq = value; Sent.Add("hq"); } }

    /// <summary>The fields the body named (null included).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public HashSet<string> Sent { get; } = [];
}

/// <summary>A new industry of the controlled list.</summary>
public sealed record IndustryRequest
{
    /// <summary>Slug: lower-case letters, digits and single hyphens, at most 100 characters.</summary>
    /// <example>biotech</example>
    public string? Slug { get; init; }
    /// <summary>Display name.</summary>
    /// <example>Biotech</example>
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

public sealed class EmployerPatchRequestValidator : AbstractValidator<EmployerPatchRequest>
{
    public EmployerPatchRequestValidator(TaxonomyCache taxonomy)
    {
        RuleFor(r => r.Industry).MustAsync(async (industry, ct) => industry is null || (await taxonomy.GetAsync(ct)).Industries.ContainsKey(industry))
            .WithMessage(r => $"Unknown industry '{r.Industry}'. The industries are listed at GET /v1/industries.");
        RuleFor(r => r.Stage).Must(s => s is null || EmployerAttributes.IsStage(s))
            .WithMessage(r => $"Unknown stage '{r.Stage}'. Must be one of: {string.Join(", ", EmployerAttributes.Stages)}.");
        RuleFor(r => r.Headcount).Must(h => h is null || EmployerAttributes.IsHeadcount(h))
            .WithMessage(r => $"Unknown headcount '{r.Headcount}'. Must be one of: {string.Join(", ", EmployerAttributes.Headcounts)}.");
        RuleFor(r => r.Hq).MustAsync(async (hq, ct) => hq is null || (await taxonomy.GetAsync(ct)).Regions.ContainsKey(hq))
            .WithMessage(r => $"Unknown region '{r.Hq}'. The regions are listed at GET /v1/regions.");
    }
}

public sealed class IndustryRequestValidator : AbstractValidator<IndustryRequest>
{
    public IndustryRequestValidator()
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
        group.MapPatch("/employers/{slug}", PatchEmployer).WithJsonBody<EmployerPatchRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("PatchEmployer").WithSummary("Set an employer's attributes")
            .WithDescription("Sets industry, stage, headcount and hq. A field left out keeps its value; null clears it. 400 names a field whose value is not in its list; 404 if no employer has the slug. Band answers that filter or group by these attributes change at once.");
        group.MapPost("/industries", CreateIndustry).WithJsonBody<IndustryRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreateIndustry").WithSummary("Add an industry")
            .WithDescription("Extends the controlled list of employer industries. 409 if the slug exists.");
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

    /// <param name="slug" example="openai">The employer's slug.</param>
    /// <param name="body"></param>
    /// <param name="db"></param>
    /// <param name="taxonomy"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<EmployerResponse>, ProblemHttpResult>> PatchEmployer(
        string slug, JsonBody<EmployerPatchRequest> body, CompDbContext db, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var employer = await db.Employers.SingleOrDefaultAsync(e => e.Slug == slug, cancellationToken);
        if (employer is null)
            return Problems.NotFound($"No employer has the slug '{slug}'. Employers are listed at GET /v1/employers.");
        if (request.Sent.Contains("industry"))
            employer.Industry = request.Industry;
        if (request.Sent.Contains("stage"))
            employer.Stage = request.Stage;
        if (request.Sent.Contains("headcount"))
            employer.Headcount = request.Headcount;
        if (request.Sent.Contains("hq"))
            employer.Hq = request.Hq;
        await db.SaveChangesAsync(cancellationToken);
        // The snapshot holds the attributes band filters resolve with, and its digest is in band ETags.
        taxonomy.Invalidate();
        return TypedResults.Ok(new EmployerResponse(employer.Slug, employer.Name, employer.Industry, employer.Stage, employer.Headcount, employer.Hq));
    }

    public static async Task<Results<Created<IndustryResponse>, ProblemHttpResult>> CreateIndustry(
        JsonBody<IndustryRequest> body, CompDbContext db, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO industries (slug, name) VALUES ({request.Slug}, {request.Name}) ON CONFLICT (slug) DO NOTHING", cancellationToken);
        if (inserted == 0)
            return Conflict($"The industry '{request.Slug}' already exists.");
        taxonomy.Invalidate();
        return TypedResults.Created("/v1/industries", new IndustryResponse(request.Slug!, request.Name!));
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
