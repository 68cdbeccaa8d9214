using System.Text.Json.Serialization;
using Comp.Api.Contracts;
using Comp.Api.Features.Bands.Engine;
using FluentValidation;

namespace Comp.Api.Features.Bands;

/// <summary>Several labelled segments answered side by side, with one component, currency and date for all.</summary>
public sealed record CompareRequest
{
    /// <summary>base, bonus, equity, retention, signon, total (default), or year1 … year4 (each year's pay by the grants' vesting schedules).</summary>
    /// <example>total</example>
    public string? Component { get; init; }

    /// <summary>ISO 4217 currency of every cell (default USD).</summary>
    /// <example>USD</example>
    public string? Currency { get; init; }

    /// <summary>Age every value to this date (YYYY-MM-DD), e.g. 2025-01-01; absent for no aging.</summary>
    public string? AgedTo { get; init; }

    /// <summary>Percentiles to report, e.g. 10,25,50,75,90 (the default).</summary>
    public string? Percentiles { get; init; }

    /// <summary><c>incumbent</c> (default: every datapoint counts once) or <c>company</c> (every employer counts once, by its type-7 median in the segment; n is then the number of employers), for every segment.</summary>
    /// <example>incumbent</example>
    public string? Weighting { get; init; }

    /// <summary>1 to 20 segments; one cell each, in this order.</summary>
    public List<CompareSegment>? Segments { get; init; }

    /// <summary>The options every segment shares.</summary>
    public BandOptions Options => new() { Component = Component, Currency = Currency, AgedTo = AgedTo, Percentiles = Percentiles, Weighting = Weighting };

    /// <summary>Each segment's filter resolved, with the shared options.</summary>
    public async Task<List<(string Label, BandQuery Query)>> ResolveAsync(ITaxonomy taxonomyCache, EmployerDirectory employers, CancellationToken cancellationToken)
    {
        var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
        var segments = new List<(string, BandQuery)>(Segments!.Count);
        foreach (var segment in Segments)
            segments.Add((segment.Label!, Options.Apply(await segment.Filter!.ResolveAsync(taxonomy, employers, cancellationToken))));
        return segments;
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompareSegment
{
    /// <summary>The segment's name in the answer, e.g. "ML engineers, California".</summary>
    public string? Label { get; init; }

    /// <summary>The same filters as GET /v1/bands.</summary>
    public BandFilter? Filter { get; init; }
}

public sealed class CompareRequestValidator : AbstractValidator<CompareRequest>
{
    public const int MaxSegments = 20;

    public CompareRequestValidator(ITaxonomy taxonomyCache, IValidator<BandFilter> filter)
    {
        OptionRules.Component(RuleFor(r => r.Component));
        OptionRules.Percentiles(RuleFor(r => r.Percentiles));
        OptionRules.Weighting(RuleFor(r => r.Weighting));
        OptionRules.Currency(RuleFor(r => r.Currency), taxonomyCache);
        OptionRules.AgedTo(RuleFor(r => r.AgedTo));
        RuleFor(r => r.Segments).Cascade(CascadeMode.Stop).NotEmpty().Must(s => s!.Count <= MaxSegments).WithMessage($"At most {MaxSegments} segments.");
        RuleForEach(r => r.Segments).Cascade(CascadeMode.Stop).NotNull().WithMessage("Each segment is an object with a label and a filter.")
            .ChildRules(segment =>
            {
                segment.RuleFor(s => s.Label).NotEmpty().MaximumLength(100);
                segment.RuleFor(s => s.Filter).NotNull().SetValidator(filter!);
            });
    }
}
