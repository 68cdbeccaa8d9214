using Comp.Api.Contracts;
using Comp.Api.Features.Bands.Engine;
using Comp.Statistics;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Comp.Api.Features.Bands;

/// <summary>What a GET band route answers with, besides the filters: component, percentiles, currency, aging, grouping.</summary>
public record BandOptions
{
    /// <summary>base, bonus, equity, retention, signon, total (default), or year1 … year4: what each year of the package pays, by each grant's vesting schedule (sign-on in year 1).</summary>
    /// <example>base</example>
    [FromQuery(Name = "component")] public string? Component { get; init; }

    /// <summary>Percentiles to report, integers 1–99, comma-separated, e.g. <c>5,50,95</c> (default 10,25,50,75,90).</summary>
    [FromQuery(Name = "percentiles")] public string? Percentiles { get; init; }

    /// <summary>ISO 4217 currency of the answer (default USD). Each value is converted at the rate of the latest date on or before its effective date (the earliest rate when none is older); values in a currency without any rate are left out and counted.</summary>
    /// <example>USD</example>
    [FromQuery(Name = "currency")] public string? Currency { get; init; }

    /// <summary>Age every value to this date (YYYY-MM-DD, 1970-01-01 to 2999-12-31), e.g. <c>2025-01-01</c>: value × (1 + r)^(days / 365.25), r = <c>Aging:AnnualRate</c>, after currency conversion.</summary>
    [FromQuery(Name = "agedTo")] public string? AgedTo { get; init; }

    /// <summary>One cell per distinct value of these keys: employer, role, level, region, equityBasis, packageType, and the employer attributes industry, stage and headcount (a datapoint of an employer without the attribute falls in a null cell) (comma list), e.g. <c>employer,level</c>.</summary>
    [FromQuery(Name = "groupBy")] public string? GroupBy { get; init; }

    /// <summary><c>incumbent</c> (default): every datapoint counts once. <c>company</c>: every employer counts once, by its type-7 median of its values in the cell, and the percentiles are type 7 over those medians; <c>n</c> and <c>employers</c> are then the number of employers, the datapoint thresholds apply to it, every cell needs at least <c>Disclosure:MinEmployers</c> employers (one employer's cut is suppressed), and no employer can dominate.</summary>
    /// <example>company</example>
    [FromQuery(Name = "weighting")] public string? Weighting { get; init; }

    /// <summary>The options applied to a resolved filter.</summary>
    public BandQuery Apply(BandQuery query)
    {
        Components.TryParse(Component, out var component);
        Statistics.Percentiles.TryParseList(Percentiles, out var percentiles, out _);
        Weightings.TryParse(Weighting, out var weighting);
        return query with
        {
            Component = component,
            Percentiles = percentiles,
            Weighting = weighting,
            Currency = string.IsNullOrEmpty(Currency) ? FxTable.Base : Currency,
            AgedTo = BandText.Date(AgedTo),
            GroupBy = string.IsNullOrWhiteSpace(GroupBy) ? [] : GroupBy.Split(',', StringSplitOptions.TrimEntries).ToList(),
        };
    }
}

/// <summary>The options of <c>GET /v1/bands/trend</c>: a band's, and the interval.</summary>
public sealed record TrendOptions : BandOptions
{
    /// <summary><c>quarter</c> or <c>year</c> (default).</summary>
    /// <example>year</example>
    [FromQuery(Name = "interval")] public string? Interval { get; init; }
}

/// <summary>The options of <c>GET /v1/bands/position</c>: a band's (no groupBy, no percentiles), and the amount to place.</summary>
public sealed record PositionOptions : BandOptions
{
    /// <summary>The amount to place, in the band's currency and component.</summary>
    /// <example>250000</example>
    [FromQuery(Name = "amount")] public string? Amount { get; init; }
}

/// <summary>The rules for options, shared by the GET routes and the compare body.</summary>
internal static class OptionRules
{
    public static readonly DateOnly EarliestAgedTo = new(1970, 1, 1);
    public static readonly DateOnly LatestAgedTo = new(2999, 12, 31);

    public static void Component<T>(IRuleBuilder<T, string?> rule) =>
        rule.Must(c => Components.TryParse(c, out _))
            .WithMessage((_, c) => $"Unknown component '{c}'. Must be one of: {string.Join(", ", Components.Names)}.");

    public static void Weighting<T>(IRuleBuilder<T, string?> rule) =>
        rule.Must(w => Weightings.TryParse(w, out _))
            .WithMessage((_, w) => $"Unknown weighting '{w}'. Must be one of: {string.Join(", ", Weightings.Names)} (default incumbent).");

    public static void Percentiles<T>(IRuleBuilder<T, string?> rule) =>
        rule.Custom((text, context) =>
        {
            if (!Statistics.Percentiles.TryParseList(text, out _, out var error))
                context.AddFailure(error!);
        });

    public static void Currency<T>(IRuleBuilder<T, string?> rule, ITaxonomy taxonomyCache) =>
        rule.CustomAsync(async (text, context, cancellationToken) =>
        {
            var currency = string.IsNullOrEmpty(text) ? FxTable.Base : text;
            if (!Currencies.IsKnown(currency))
                context.AddFailure($"Unknown currency '{currency}'. Give an ISO 4217 code in upper case, e.g. USD or EUR.");
            else if (!(await taxonomyCache.GetAsync(cancellationToken)).RatedCurrencies.Contains(currency))
                context.AddFailure($"No FX rate for {currency}: bands are answered in currencies the FX table covers (GET /v1/fx-rates).");
        });

    // Far dates overflow the aged amounts (and 0001-01-01 and 9999-12-31 are PostgreSQL's infinities).
    public static void AgedTo<T>(IRuleBuilder<T, string?> rule) =>
        rule.Must(BandText.IsDate).WithMessage(BandText.DateMessage)
            .Must(a => BandText.Date(a) is not { } aged || (aged >= EarliestAgedTo && aged <= LatestAgedTo))
            .WithMessage($"Must be from {EarliestAgedTo:yyyy-MM-dd} to {LatestAgedTo:yyyy-MM-dd}.");
}

public class BandOptionsValidator<T> : AbstractValidator<T> where T : BandOptions
{
    public BandOptionsValidator(ITaxonomy taxonomyCache)
    {
        OptionRules.Component(RuleFor(o => o.Component));
        OptionRules.Percentiles(RuleFor(o => o.Percentiles));
        OptionRules.Weighting(RuleFor(o => o.Weighting));
        OptionRules.Currency(RuleFor(o => o.Currency), taxonomyCache);
        OptionRules.AgedTo(RuleFor(o => o.AgedTo));
        RuleFor(o => o.GroupBy).Custom((text, context) =>
        {
            var keys = string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries).ToList();
            if (keys.FirstOrDefault(g => !GroupKeys.All.Contains(g)) is { } bad)
                context.AddFailure($"Cannot group by '{bad}'. Group by any of: {string.Join(", ", GroupKeys.All)}.");
            else if (keys.Count != keys.Distinct().Count())
                context.AddFailure("Name each key once.");
        });
    }
}

public sealed class BandOptionsValidator(ITaxonomy taxonomyCache) : BandOptionsValidator<BandOptions>(taxonomyCache);

public sealed class TrendOptionsValidator : BandOptionsValidator<TrendOptions>
{
    public TrendOptionsValidator(ITaxonomy taxonomyCache) : base(taxonomyCache) =>
        RuleFor(o => o.Interval).Must(i => i is null || Periods.IsKnown(i)).WithMessage("Must be quarter or year.");
}

public sealed class PositionOptionsValidator : BandOptionsValidator<PositionOptions>
{
    public PositionOptionsValidator(ITaxonomy taxonomyCache) : base(taxonomyCache)
    {
        RuleFor(o => o.Amount).Must(a => PositionAmount(a) is not null)
            .WithMessage("Give the amount to place as a positive number, e.g. 250000.");
        RuleFor(o => o.GroupBy).Empty().WithMessage("A position is read off one cell: remove groupBy and narrow the filters instead.");
        RuleFor(o => o.Percentiles).Empty().WithMessage("A position uses the fixed grid 5, 10, …, 95.");
    }

    public static decimal? PositionAmount(string? text) =>
        decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var value)
        && value > 0 && value <= 10_000_000_000m ? value : null;
}

/// <summary>Limits on one band answer (configuration section <c>Bands</c>).</summary>
public sealed class BandLimits
{
    /// <summary>The most cells one answer may have; a query that would give more is a 400 naming <c>groupBy</c>.</summary>
    public int MaxCells { get; set; } = 5_000;

    /// <summary>Memory for answers already made, by ETag (<see cref="AnswerCache"/>); 0 turns the cache off.</summary>
    public int AnswerCacheMegabytes { get; set; } = 64;
}
