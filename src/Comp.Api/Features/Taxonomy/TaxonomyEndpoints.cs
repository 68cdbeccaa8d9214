using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

public sealed record EmployerResponse(string Slug, string Name);
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
            .WithDescription("Every employer known to Comp, ordered by slug. Employers are created on the first datapoint that names a new slug.");
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

    public static async Task<Ok<List<EmployerResponse>>> ListEmployers(CompDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Employers.AsNoTracking().OrderBy(e => e.Slug)
            .Select(e => new EmployerResponse(e.Slug, e.Name)).ToListAsync(cancellationToken));

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
