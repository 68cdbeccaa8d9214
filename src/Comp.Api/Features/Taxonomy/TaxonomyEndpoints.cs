using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>An employer and its attributes (null where not set).</summary>
public sealed record EmployerResponse(string Slug, string Name, string? Industry = null, string? Stage = null, string? Headcount = null, string? Hq = null);
public sealed record IndustryResponse(string Slug, string Name);
public sealed record RoleResponse(string Slug, string Title, string Family);
public sealed record LevelResponse(string Code, int Rank, string Title);
public sealed record RegionResponse(string Code, string Name, string? Parent, string Kind, string Currency);

public static class TaxonomyEndpoints
{
    public static IEndpointRouteBuilder MapTaxonomy(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Taxonomy").RequireAuthorization(Scopes.Read);

        group.MapGet("/employers", ListEmployers)
            .WithName("ListEmployers")
            .WithSummary("List employers")
            .WithDescription("Every employer known to Comp, ordered by slug, with its attributes (industry, stage, headcount, hq; null where not set). Employers are created on the first datapoint that names a new slug. `industry`, `stage` and `headcount` filter by attribute; a comma list means any of the values.");
        group.MapGet("/industries", ListIndustries)
            .WithName("ListIndustries")
            .WithSummary("List industries")
            .WithDescription("The controlled list an employer's `industry` must come from, ordered by slug.");
        group.MapGet("/roles", ListRoles)
            .WithName("ListRoles")
            .WithSummary("List roles")
            .WithDescription("The controlled vocabulary of roles a datapoint's `role` must come from.");
        group.MapGet("/levels", ListLevels)
            .WithName("ListLevels")
            .WithSummary("List ladder levels")
            .WithDescription("The common ladder L1 (entry) to L9 (fellow) that employer levels map onto.");
        group.MapGet("/regions", ListRegions)
            .WithName("ListRegions")
            .WithSummary("List regions")
            .WithDescription("Countries (ISO 3166-1), subdivisions (ISO 3166-2) and metros, each with its default currency. `parent=us` lists the direct children of `us`; `kind` filters by country, subdivision or metro.");
        return app;
    }

    /// <param name="industry" example="ai-lab">Only employers of these industries (comma list), e.g. <c>ai-lab,big-tech</c>.</param>
    /// <param name="stage" example="public">Only employers at these stages (comma list): public, private-late, private-growth, private-early, nonprofit, government.</param>
    /// <param name="headcount" example="20001-plus">Only employers of these headcount bands (comma list): 1-50, 51-200, 201-1000, 1001-5000, 5001-20000, 20001-plus.</param>
    /// <param name="db"></param>
    /// <param name="taxonomy"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<List<EmployerResponse>>, ValidationProblem>> ListEmployers(
        string? industry, string? stage, string? headcount, CompDbContext db, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var industries = Values(industry);
        var stages = Values(stage);
        var headcounts = Values(headcount);
        var snapshot = await taxonomy.GetAsync(cancellationToken);
        if (industries.FirstOrDefault(i => !snapshot.Industries.ContainsKey(i)) is { } badIndustry)
            return Problems.Validation("industry", $"Unknown industry '{badIndustry}'. The industries are listed at GET /v1/industries.");
        if (stages.FirstOrDefault(s => !EmployerAttributes.IsStage(s)) is { } badStage)
            return Problems.Validation("stage", $"Unknown stage '{badStage}'. Must be one of: {string.Join(", ", EmployerAttributes.Stages)}.");
        if (headcounts.FirstOrDefault(h => !EmployerAttributes.IsHeadcount(h)) is { } badHeadcount)
            return Problems.Validation("headcount", $"Unknown headcount '{badHeadcount}'. Must be one of: {string.Join(", ", EmployerAttributes.Headcounts)}.");

        var employers = db.Employers.AsNoTracking();
        if (industries.Count > 0)
            employers = employers.Where(e => e.Industry != null && industries.Contains(e.Industry));
        if (stages.Count > 0)
            employers = employers.Where(e => e.Stage != null && stages.Contains(e.Stage));
        if (headcounts.Count > 0)
            employers = employers.Where(e => e.Headcount != null && headcounts.Contains(e.Headcount));
        return TypedResults.Ok(await employers.OrderBy(e => e.Slug)
            .Select(e => new EmployerResponse(e.Slug, e.Name, e.Industry, e.Stage, e.Headcount, e.Hq)).ToListAsync(cancellationToken));
    }

    private static List<string> Values(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();

    public static async Task<Ok<List<IndustryResponse>>> ListIndustries(TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var snapshot = await taxonomy.GetAsync(cancellationToken);
        return TypedResults.Ok(snapshot.Industries.Values.OrderBy(i => i.Slug, StringComparer.Ordinal)
            .Select(i => new IndustryResponse(i.Slug, i.Name)).ToList());
    }

    public static async Task<Ok<List<RoleResponse>>> ListRoles(TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var snapshot = await taxonomy.GetAsync(cancellationToken);
        return TypedResults.Ok(snapshot.Roles.Values.OrderBy(r => r.Slug, StringComparer.Ordinal)
            .Select(r => new RoleResponse(r.Slug, r.Title, r.Family)).ToList());
    }

    public static async Task<Ok<List<LevelResponse>>> ListLevels(TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var snapshot = await taxonomy.GetAsync(cancellationToken);
        return TypedResults.Ok(snapshot.Levels.Values.OrderBy(l => l.Rank)
            .Select(l => new LevelResponse(l.Code, l.Rank, l.Title)).ToList());
    }

    /// <param name="parent" example="us">Only the direct children of this region, e.g. <c>us</c>.</param>
    /// <param name="kind" example="subdivision">Only regions of this kind: <c>country</c>, <c>subdivision</c> or <c>metro</c>.</param>
    /// <param name="taxonomy"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<List<RegionResponse>>, ValidationProblem>> ListRegions(
        string? parent, string? kind, TaxonomyCache taxonomy, CancellationToken cancellationToken)
    {
        var snapshot = await taxonomy.GetAsync(cancellationToken);
        if (parent is not null && !snapshot.Regions.ContainsKey(parent))
            return Problems.Validation("parent", $"Unknown region '{parent}'.");
        if (kind is not null && kind is not ("country" or "subdivision" or "metro"))
            return Problems.Validation("kind", "Must be country, subdivision or metro.");

        IEnumerable<Region> regions = parent is null ? snapshot.Regions.Values : snapshot.Children[parent];
        if (kind is not null)
            regions = regions.Where(r => r.Kind == kind);
        return TypedResults.Ok(regions.OrderBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new RegionResponse(r.Code, r.Name, r.ParentCode, r.Kind, r.Currency)).ToList());
    }
}
