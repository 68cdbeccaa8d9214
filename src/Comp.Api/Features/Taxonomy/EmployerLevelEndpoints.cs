using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>An employer's level mapping: its own level names onto the L1–L9 ladder.</summary>
public sealed record LevelMappingRequest
{
    /// <summary>Employer level name → ladder level, e.g. <c>{ "E5": "L4", "E6": "L5" }</c>. Replaces the whole mapping.</summary>
    /// <example>{"E3": "L2", "E4": "L3", "E5": "L4", "E6": "L5", "E7": "L6", "E8": "L7", "E9": "L8"}</example>
    public Dictionary<string, string>? Levels { get; init; }
}

public sealed record LevelMappingResponse(string Employer, IReadOnlyDictionary<string, string> Levels)
{
    /// <summary>How many stored datapoints of the employer changed ladder level with this mapping (PUT only).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Remapped { get; init; }
}

public sealed class LevelMappingValidator : AbstractValidator<LevelMappingRequest>
{
    public LevelMappingValidator(TaxonomyCache taxonomy)
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Levels).NotNull().Must(l => l!.Count <= 100).WithMessage("At most 100 level names per employer.")
            .CustomAsync(async (levels, context, ct) =>
            {
                var ladder = (await taxonomy.GetAsync(ct)).Levels;
                foreach (var (name, level) in levels!)
                {
                    // Errors are keyed by the level name, so a client sees which entry is wrong.
                    if (string.IsNullOrWhiteSpace(name) || name.Length > 50)
                        context.AddFailure($"levels.{name}", "A level name has 1 to 50 characters.");
                    else if (level is null || !ladder.ContainsKey(level))
                        context.AddFailure($"levels.{name}", $"'{level}' is not a ladder level; map onto L1–L9 (GET /v1/levels).");
                }
            });
    }
}

public static class EmployerLevelEndpoints
{
    public static IEndpointRouteBuilder MapEmployerLevels(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/employers/{slug}/levels").WithTags("Taxonomy");

        group.MapGet("/", Get)
            .RequireAuthorization(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetEmployerLevels")
            .WithSummary("An employer's level mapping")
            .WithDescription("The employer's own level names and the ladder level (L1–L9) each maps onto. 404 for an unknown employer.");

        group.MapPut("/", Put)
            .RequireAuthorization(Scopes.Admin)
            .WithJsonBody<LevelMappingRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("PutEmployerLevels")
            .WithSummary("Replace an employer's level mapping")
            .WithDescription("Replaces the whole mapping. Stored datapoints of the employer that carry an `employerLevel` and no level " +
                "of their own are re-mapped at once; `remapped` says how many changed. A datapoint whose name left the mapping loses " +
                "its mapped level. 404 for an unknown employer.");
        return app;
    }

    /// <param name="slug" example="meta">The employer's slug.</param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<LevelMappingResponse>, ProblemHttpResult>> Get(string slug, CompDbContext db, CancellationToken cancellationToken)
    {
        var employer = await db.Employers.AsNoTracking().FirstOrDefaultAsync(e => e.Slug == slug, cancellationToken);
        if (employer is null)
            return Problems.NotFound($"No employer '{slug}'.");
        return TypedResults.Ok(new LevelMappingResponse(slug, await MappingAsync(db, employer.Id, cancellationToken)));
    }

    /// <param name="slug" example="meta">The employer's slug.</param>
    /// <param name="body"></param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<LevelMappingResponse>, ProblemHttpResult>> Put(
        string slug, JsonBody<LevelMappingRequest> body, CompDbContext db, CancellationToken cancellationToken)
    {
        var employer = await db.Employers.AsNoTracking().FirstOrDefaultAsync(e => e.Slug == slug, cancellationToken);
        if (employer is null)
            return Problems.NotFound($"No employer '{slug}'.");

        var levels = body.Value!.Levels!;
        var strategy = db.Database.CreateExecutionStrategy();
        var remapped = await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear(); // a retried attempt starts from nothing tracked
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.EmployerLevels.Where(l => l.EmployerId == employer.Id).ExecuteDeleteAsync(ct);
            db.EmployerLevels.AddRange(levels.Select(l => new EmployerLevel { EmployerId = employer.Id, Name = l.Key, Level = l.Value }));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            var changed = await RemapAsync(db, employer.Id, ct);
            await transaction.CommitAsync(ct);
            return changed;
        }, cancellationToken);

        return TypedResults.Ok(new LevelMappingResponse(slug, await MappingAsync(db, employer.Id, cancellationToken)) { Remapped = remapped });
    }

    /// <summary>
    /// Brings the mapped levels of an employer's datapoints in line with its mapping. Levels given
    /// explicitly at ingest are left alone; only those that came from a mapping follow it.
    /// </summary>
    public static async Task<int> RemapAsync(CompDbContext db, int employerId, CancellationToken cancellationToken)
    {
        var mapped = await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE datapoints d SET level = m.level, level_mapped = true
            FROM employer_levels m
            WHERE d.employer_id = {employerId} AND m.employer_id = {employerId} AND d.employer_level = m.name
              AND (d.level IS NULL OR d.level_mapped) AND d.level IS DISTINCT FROM m.level
            """, cancellationToken);
        var unmapped = await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE datapoints d SET level = NULL, level_mapped = false
            WHERE d.employer_id = {employerId} AND d.level_mapped
              AND NOT EXISTS (SELECT 1 FROM employer_levels m WHERE m.employer_id = {employerId} AND m.name = d.employer_level)
            """, cancellationToken);
        return mapped + unmapped;
    }

    public static async Task<Dictionary<string, string>> MappingAsync(CompDbContext db, int employerId, CancellationToken cancellationToken) =>
        await db.EmployerLevels.AsNoTracking().Where(l => l.EmployerId == employerId).OrderBy(l => l.Level).ThenBy(l => l.Name)
            .ToDictionaryAsync(l => l.Name, l => l.Level, cancellationToken);
}
