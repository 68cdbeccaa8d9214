using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>An employer's default vesting schedules; replaces both.</summary>
public sealed record VestingDefaultsRequest
{
    /// <summary>
    /// Yearly percentages the employer's equity grants vest by, e.g. <c>[33, 33, 22, 12]</c> (1–10 entries, each ≥ 0 with at most 4
    /// decimals, summing to 100 within 0.01); null or absent for none. It applies to the employer's datapoints that give no
    /// schedule of their own and whose equity vests over as many years as it has entries.
    /// </summary>
    /// <example>[33, 33, 22, 12]</example>
    public List<decimal>? Equity { get; init; }

    /// <summary>The same for retention grants.</summary>
    /// <example>[25, 25, 25, 25]</example>
    public List<decimal>? Retention { get; init; }
}

/// <param name="Employer">The employer's slug.</param>
/// <param name="Equity">The default for equity grants; null for none (even vesting).</param>
/// <param name="Retention">The default for retention grants; null for none.</param>
public sealed record VestingDefaultsResponse(string Employer, IReadOnlyList<decimal>? Equity, IReadOnlyList<decimal>? Retention)
{
    /// <summary>How many stored datapoints of the employer changed schedule with these defaults (PUT only).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Reapplied { get; init; }
}

public sealed class VestingDefaultsValidator : AbstractValidator<VestingDefaultsRequest>
{
    public VestingDefaultsValidator()
    {
        RuleFor(r => r.Equity).Custom((s, context) =>
        {
            if (s is not null && Vesting.Problem(s) is { } problem)
                context.AddFailure(problem);
        });
        RuleFor(r => r.Retention).Custom((s, context) =>
        {
            if (s is not null && Vesting.Problem(s) is { } problem)
                context.AddFailure(problem);
        });
    }
}

public static class EmployerVestingEndpoints
{
    public static IEndpointRouteBuilder MapEmployerVesting(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/employers/{slug}/vesting").WithTags("Taxonomy");

        group.MapGet("/", Get)
            .RequireAuthorization(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetEmployerVesting")
            .WithSummary("An employer's default vesting schedules")
            .WithDescription("The yearly percentages the employer's equity and retention grants vest by when a datapoint gives no schedule " +
                "of its own and its vesting years equal the default's length; null where the employer has none (even vesting). 404 for an unknown employer.");

        group.MapPut("/", Put)
            .RequireAuthorization(Scopes.Admin)
            .WithJsonBody<VestingDefaultsRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("PutEmployerVesting")
            .WithSummary("Replace an employer's default vesting schedules")
            .WithDescription("Replaces both defaults (an absent or null one removes it). The employer's stored datapoints whose grant has no " +
                "schedule of its own, or vests by the previous default, follow at once: the new default where the vesting years equal its " +
                "length, even vesting otherwise; a schedule given at ingest is never touched. `reapplied` says how many datapoints changed. " +
                "New datapoints take the default at ingest. 404 for an unknown employer.");
        return app;
    }

    /// <param name="slug" example="google">The employer's slug.</param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<VestingDefaultsResponse>, ProblemHttpResult>> Get(string slug, CompDbContext db, CancellationToken cancellationToken)
    {
        var employer = await db.Employers.AsNoTracking().FirstOrDefaultAsync(e => e.Slug == slug, cancellationToken);
        return employer is null
            ? Problems.NotFound($"No employer '{slug}'.")
            : TypedResults.Ok(new VestingDefaultsResponse(slug, employer.EquityVestingDefault, employer.RetentionVestingDefault));
    }

    /// <param name="slug" example="google">The employer's slug.</param>
    /// <param name="body"></param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<VestingDefaultsResponse>, ProblemHttpResult>> Put(
        string slug, JsonBody<VestingDefaultsRequest> body, CompDbContext db, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        // The column keeps four decimals: the answer reads as a later GET does.
        var equity = request.Equity?.Select(p => p + 0.0000m).ToArray();
        var retention = request.Retention?.Select(p => p + 0.0000m).ToArray();
        var strategy = db.Database.CreateExecutionStrategy();
        var reapplied = await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // The row lock this takes orders the PUT against datapoints being stored (VestingDefaults.ReadAsync).
            var updated = await db.Employers.Where(e => e.Slug == slug)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.EquityVestingDefault, equity).SetProperty(e => e.RetentionVestingDefault, retention), ct);
            if (updated == 0)
                return (int?)null;
            var id = await db.Employers.Where(e => e.Slug == slug).Select(e => e.Id).SingleAsync(ct);
            var changed = await VestingDefaults.ReapplyAsync(db, id, ct);
            await transaction.CommitAsync(ct);
            return changed;
        }, cancellationToken);
        return reapplied is null
            ? Problems.NotFound($"No employer '{slug}'.")
            : TypedResults.Ok(new VestingDefaultsResponse(slug, equity, retention) { Reapplied = reapplied });
    }
}
