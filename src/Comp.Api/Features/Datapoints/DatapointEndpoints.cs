using System.Security.Claims;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Datapoints;

public static class DatapointEndpoints
{
    public static IEndpointRouteBuilder MapDatapoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datapoints").WithTags("Datapoints");

        group.MapPost("/", Create)
            .RequireAuthorization(Scopes.Ingest)
            .WithJsonBody<DatapointRequest>()
            .Produces<DatapointResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreateDatapoint")
            .WithSummary("Store one pay datapoint")
            .WithDescription("Stores one person's package. Unknown fields are rejected (a typo must not drop data). " +
                "A new employer slug creates the employer. Returns 201 with the stored datapoint and its Location. With an `Idempotency-Key` " +
                "header, a repeat with the same key and body returns the first answer and stores nothing; the same key with another body is a 409.");

        group.MapBatch();

        group.MapDelete("/{id:guid}", Delete)
            .RequireAuthorization(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("DeleteDatapoint")
            .WithSummary("Retract a datapoint")
            .WithDescription("Removes a datapoint for good (admin). 404 if there is none.");

        group.MapGet("/{id:guid}", Get)
            .RequireAuthorization(Scopes.Ingest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetDatapoint")
            .WithSummary("Read back one datapoint")
            .WithDescription("Returns a stored datapoint to the key that posted it, or to an admin key.");
        return app;
    }

    public static async Task<IResult> Create(
        JsonBody<DatapointRequest> body, HttpContext http, ClaimsPrincipal user, CompDbContext db, JsonOptionsAccessor json, CancellationToken cancellationToken)
    {
        var (key, keyError) = Idempotency.ReadKey(http.Request);
        if (keyError is not null)
            return Problems.Validation(Idempotency.Header, keyError);
        var request = body.Value!;
        var mappings = await DatapointStore.LevelMappingsAsync(db, [request.Employer!], cancellationToken);
        var level = DatapointStore.ResolveLevel(request, mappings.GetValueOrDefault(request.Employer!) ?? []);
        if (level.Error is { } error)
            return Problems.Validation(error.Field, error.Message);

        var keyId = Callers.KeyId(user)!.Value;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            // A retried attempt must not find the failed attempt's entity still tracked (it would insert twice).
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // The parsed body, serialized again, identifies the request: whitespace or field order do not matter.
            var hash = Idempotency.Hash(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, json.Options));
            if (key is not null && await Idempotency.ClaimAsync(db, keyId, key, CreateRoute, hash, ct) is { } earlier)
            {
                await transaction.RollbackAsync(ct);
                return Idempotency.Replay(earlier, CreateRoute, hash, http);
            }
            var employer = (await EmployerStore.EnsureEmployersAsync(db, [(request.Employer!, request.EmployerName)], ct))[request.Employer!];
            var defaults = await VestingDefaults.ReadAsync(db, [employer.Id], ct);
            var datapoint = DatapointStore.ToEntity(request, employer.Id, keyId);
            datapoint.Level = level.Level;
            datapoint.LevelMapped = level.Mapped;
            VestingDefaults.Apply(datapoint, defaults.GetValueOrDefault(employer.Id));
            db.Datapoints.Add(datapoint);
            await db.SaveChangesAsync(ct);
            datapoint.Employer = employer;
            var response = DatapointStore.ToResponse(datapoint);
            var location = $"/v1/datapoints/{datapoint.Id}";
            if (key is not null)
                await Idempotency.CompleteAsync(db, keyId, key, StatusCodes.Status201Created,
                    System.Text.Json.JsonSerializer.Serialize(response, json.Options), location, ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
            return (IResult)TypedResults.Created(location, response);
        }, cancellationToken);
    }

    private const string CreateRoute = "POST /v1/datapoints";

    /// <param name="id" example="01a213db-adcb-731a-85dd-e47826e15668">The datapoint to retract.</param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CompDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Datapoints.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Problems.NotFound($"No datapoint {id}.") : TypedResults.NoContent();
    }

    /// <param name="id" example="01a213db-adcb-731a-85dd-e47826e15668">The datapoint's id, from the 201 of its POST.</param>
    /// <param name="user"></param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<DatapointResponse>, ProblemHttpResult>> Get(
        Guid id, ClaimsPrincipal user, CompDbContext db, CancellationToken cancellationToken)
    {
        var datapoint = await db.Datapoints.AsNoTracking().Include(d => d.Employer).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        // Another key's datapoint answers 404 like a missing one, so ids cannot be probed.
        if (datapoint is null || (datapoint.ApiKeyId != Callers.KeyId(user) && !Callers.IsAdmin(user)))
            return Problems.NotFound($"No datapoint {id} is visible to this key.");
        return TypedResults.Ok(DatapointStore.ToResponse(datapoint));
    }
}

/// <summary>The ladder level a datapoint is stored with, or why it cannot be stored.</summary>
public readonly record struct LevelResolution(string? Level, bool Mapped, (string Field, string Message)? Error);

/// <summary>Turns validated requests into stored rows; shared by the single and the batch routes.</summary>
public static class DatapointStore
{
    /// <summary>The level mappings of the given employers, by slug (an employer without one is absent).</summary>
    public static async Task<Dictionary<string, Dictionary<string, string>>> LevelMappingsAsync(CompDbContext db, string[] slugs, CancellationToken cancellationToken)
    {
        var entries = await db.EmployerLevels.AsNoTracking()
            .Join(db.Employers.Where(e => slugs.Contains(e.Slug)), l => l.EmployerId, e => e.Id, (l, e) => new { e.Slug, l.Name, l.Level })
            .ToListAsync(cancellationToken);
        return entries.GroupBy(e => e.Slug).ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Name, e => e.Level));
    }

    /// <summary>
    /// SPEC §1: an <c>employerLevel</c> gets its ladder level from the employer's mapping; a name
    /// missing from an existing mapping is an error; without a mapping the name is kept and the
    /// level arrives with the mapping. A ladder level given alongside must agree with the mapping.
    /// </summary>
    public static LevelResolution ResolveLevel(DatapointRequest request, IReadOnlyDictionary<string, string> mapping)
    {
        if (request.EmployerLevel is null || mapping.Count == 0)
            return new LevelResolution(request.Level, false, null);
        if (!mapping.TryGetValue(request.EmployerLevel, out var mapped))
            return new LevelResolution(null, false, ("employerLevel",
                $"'{request.EmployerLevel}' is not in the level mapping of '{request.Employer}' ({string.Join(", ", mapping.Keys.Order(StringComparer.Ordinal))}); " +
                $"see GET /v1/employers/{request.Employer}/levels."));
        if (request.Level is not null && request.Level != mapped)
            return new LevelResolution(null, false, ("level",
                $"'{request.Level}' disagrees with the mapping of '{request.Employer}', which puts '{request.EmployerLevel}' at {mapped}."));
        return new LevelResolution(mapped, request.Level is null, null);
    }

    public static Datapoint ToEntity(DatapointRequest r, int employerId, Guid apiKeyId) => new()
    {
        Id = Guid.CreateVersion7(),
        EmployerId = employerId,
        Role = r.Role!,
        Level = r.Level,
        EmployerLevel = r.EmployerLevel,
        Region = r.Region!,
        Currency = r.Currency!,
        EffectiveDate = r.EffectiveDate!.Value,
        BaseSalary = Cents(r.BaseSalary)!.Value,
        TargetBonus = Cents(r.TargetBonus),
        SignOnBonus = Cents(r.SignOnBonus),
        EquityGrant = Cents(r.EquityGrant),
        // A schedule's length is its vesting years (the validator refuses years that disagree).
        EquityVestingYears = r.EquityVestingSchedule?.Count ?? r.EquityVestingYears ?? Components.DefaultVestingYears,
        RetentionGrant = Cents(r.RetentionGrant),
        RetentionVestingYears = r.RetentionVestingSchedule?.Count ?? r.RetentionVestingYears ?? Components.DefaultVestingYears,
        EquityVestingSchedule = Percentages(r.EquityVestingSchedule),
        RetentionVestingSchedule = Percentages(r.RetentionVestingSchedule),
        EquityBasis = r.EquityBasis,
        PackageType = r.PackageType ?? PackageTypes.Default,
        YearsOfExperience = r.YearsOfExperience + 0.0m,
        Source = r.Source!,
        SourceNote = r.SourceNote,
        Verified = r.Verified ?? false,
        // PostgreSQL keeps microseconds: truncate now so the 201 body equals what a later GET reads.
        CreatedAt = new DateTimeOffset(DateTime.UtcNow.Ticks / 10 * 10, TimeSpan.Zero),
        ApiKeyId = apiKeyId,
    };

    // The column keeps two decimals: give amounts that scale now, so the 201 body reads as a later GET does.
    private static decimal? Cents(decimal? amount) => amount + 0.00m;

    // The schedule column keeps four decimals: the same, for percentages.
    private static decimal[]? Percentages(List<decimal>? schedule) => schedule?.Select(p => p + 0.0000m).ToArray();

    public static DatapointResponse ToResponse(Datapoint d) => new(
        d.Id, d.Employer!.Slug, d.Employer.Name, d.Role, d.Level, d.EmployerLevel, d.Region, d.Currency, d.EffectiveDate,
        d.BaseSalary, d.TargetBonus, d.SignOnBonus, d.EquityGrant, d.EquityVestingYears, d.RetentionGrant,
        d.RetentionVestingYears, d.YearsOfExperience, d.Source, d.SourceNote, d.Verified, d.CreatedAt, d.ApiKeyId)
    {
        EquityVestingSchedule = d.EquityVestingSchedule,
        EquityScheduleFromEmployer = d.EquityScheduleFromEmployer,
        RetentionVestingSchedule = d.RetentionVestingSchedule,
        RetentionScheduleFromEmployer = d.RetentionScheduleFromEmployer,
        EquityBasis = d.EquityBasis,
        PackageType = d.PackageType,
    };
}
