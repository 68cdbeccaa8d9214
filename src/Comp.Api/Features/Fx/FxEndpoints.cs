using System.Text.Json;
using Comp.Api.Auth;
using Comp.Api.Contracts;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Fx;

/// <summary>One FX rate: how many US dollars one unit of <c>currency</c> buys from <c>date</c> on.</summary>
public sealed record FxRateRequest
{
    /// <summary>ISO 4217 code, upper case, not USD (the base).</summary>
    /// <example>EUR</example>
    public string? Currency { get; init; }
    /// <summary>The date from which the rate applies (YYYY-MM-DD).</summary>
    /// <example>2024-04-01</example>
    public DateOnly? Date { get; init; }
    /// <summary>US dollars per unit of the currency, above 0.</summary>
    /// <example>1.0724</example>
    public decimal? UsdPerUnit { get; init; }
    /// <summary>Where the rate comes from, e.g. <c>Federal Reserve G.5A, 2019 annual average</c>.</summary>
    /// <example>Federal Reserve G.5, 2024-04 monthly average</example>
    public string? Source { get; init; }
}

public sealed record FxRateResponse(string Currency, DateOnly Date, decimal UsdPerUnit, string Source);

public sealed record FxUpsertResponse(int Upserted);

public sealed class FxRateValidator : AbstractValidator<FxRateRequest>
{
    public FxRateValidator(TimeProvider clock)
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Currency).NotEmpty().Must(Currencies.IsKnown).WithMessage(r => $"Unknown currency '{r.Currency}'. Give an ISO 4217 code in upper case.")
            .NotEqual(FxTable.Base).WithMessage($"{FxTable.Base} is the base currency: its rate is always 1.");
        RuleFor(r => r.Date).NotNull().Must(d => d >= new DateOnly(1970, 1, 1)).WithMessage("Must be on or after 1970-01-01.")
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("Must not be in the future.");
        RuleFor(r => r.UsdPerUnit).NotNull().GreaterThan(0).LessThanOrEqualTo(1_000_000)
            .Must(v => v == decimal.Round(v!.Value, 10)).WithMessage("At most 10 decimal places.");
        RuleFor(r => r.Source).NotEmpty().MaximumLength(200);
    }
}

public static class FxEndpoints
{
    public static IEndpointRouteBuilder MapFx(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/fx-rates").WithTags("FX rates");

        group.MapGet("/", List)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListFxRates")
            .WithSummary("The FX table")
            .WithDescription("Every rate as USD per unit from its date on, with its source. A value is converted at the rate of the latest date " +
                "on or before its effective date, or the earliest rate if none is older; a currency without any rate is never converted 1:1.");

        group.MapPut("/", Upsert)
            .RequireAuthorization(Scopes.Admin)
            .Accepts<List<FxRateRequest>>("application/json")
            .ProducesValidationProblem()
            .WithName("PutFxRates")
            .WithSummary("Add or replace FX rates")
            .WithDescription("A JSON array of rates, upserted by (currency, date), all or nothing. Errors are keyed by position, e.g. `[2].usdPerUnit`.");
        return app;
    }

    /// <param name="currency" example="EUR">Only the rates of this currency.</param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Ok<List<FxRateResponse>>> List(string? currency, CompDbContext db, CancellationToken cancellationToken)
    {
        var rates = db.FxRates.AsNoTracking();
        // PostgreSQL text cannot hold U+0000: no currency has such a code.
        if (currency?.Contains('\0') == true)
            return TypedResults.Ok(new List<FxRateResponse>());
        if (!string.IsNullOrEmpty(currency))
            rates = rates.Where(r => r.Currency == currency);
        return TypedResults.Ok(await rates.OrderBy(r => r.Currency).ThenBy(r => r.Date)
            .Select(r => new FxRateResponse(r.Currency, r.Date, r.UsdPerUnit, r.Source)).ToListAsync(cancellationToken));
    }

    public static async Task<Results<Ok<FxUpsertResponse>, ValidationProblem>> Upsert(
        HttpRequest request, IValidator<FxRateRequest> validator, CompDbContext db, ITaxonomy taxonomy, CancellationToken cancellationToken)
    {
        var (rates, errors) = await JsonArrayBody.ReadAsync<FxRateRequest>(request, validator, maxItems: 10_000, cancellationToken);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        var duplicate = rates.GroupBy(r => (r.Currency, r.Date)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            return Problems.Validation("body", $"{duplicate.Key.Currency} on {duplicate.Key.Date:yyyy-MM-dd} appears more than once.");

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var rate in rates)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO fx_rates (currency, date, usd_per_unit, source) VALUES ({rate.Currency}, {rate.Date}, {rate.UsdPerUnit}, {rate.Source})
                    ON CONFLICT (currency, date) DO UPDATE SET usd_per_unit = EXCLUDED.usd_per_unit, source = EXCLUDED.source
                    """, ct);
            }
            await transaction.CommitAsync(ct);
        }, cancellationToken);
        taxonomy.Invalidate(); // the set of currencies with a rate may have grown
        return TypedResults.Ok(new FxUpsertResponse(rates.Count));
    }
}
