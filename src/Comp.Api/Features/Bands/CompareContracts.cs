using System.Text.Json.Serialization;
using Comp.Api.Data;
using Comp.Api.Features.Taxonomy;
using FluentValidation;

namespace Comp.Api.Features.Bands;

/// <summary>Several labelled segments answered side by side, with one component, currency and date for all.</summary>
public sealed record CompareRequest
{
    /// <summary>base, bonus, equity, retention, signon, total (default) or year1.</summary>
    /// <example>total</example>
    public string? Component { get; init; }

    /// <summary>ISO 4217 currency of every cell (default USD).</summary>
    /// <example>USD</example>
    public string? Currency { get; init; }

    /// <summary>Age every value to this date (YYYY-MM-DD), e.g. 2025-01-01; absent for no aging.</summary>
    public string? AgedTo { get; init; }

    /// <summary>Percentiles to report, e.g. 10,25,50,75,90 (the default).</summary>
    public string? Percentiles { get; init; }

    /// <summary>1 to 20 segments; one cell each, in this order.</summary>
    public List<CompareSegment>? Segments { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompareSegment
{
    /// <summary>The segment's name in the answer, e.g. "ML engineers, California".</summary>
    public string? Label { get; init; }

    /// <summary>The same filters as GET /v1/bands.</summary>
    public SegmentFilter? Filter { get; init; }
}

/// <summary>Band filters; each text filter takes a comma list, as in the query string of GET /v1/bands.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SegmentFilter
{
    public string? Employer { get; init; }
    public string? Role { get; init; }
    public string? Level { get; init; }
    public string? Region { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Source { get; init; }
    public bool? Verified { get; init; }
}

public sealed class CompareRequestValidator : AbstractValidator<CompareRequest>
{
    public const int MaxSegments = 20;

    public CompareRequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleForEach(r => r.Segments).NotNull().WithMessage("Each segment is an object with a label and a filter.");
        RuleFor(r => r.Segments).NotEmpty().Must(s => s!.Count <= MaxSegments).WithMessage($"At most {MaxSegments} segments.");
        RuleForEach(r => r.Segments).ChildRules(segment =>
        {
            segment.RuleFor(s => s.Label).NotEmpty().MaximumLength(100);
            segment.RuleFor(s => s.Filter).NotNull();
        });
    }
}

public static class CompareParser
{
    /// <summary>Each segment through the one band parser, errors keyed by the segment (<c>segments[1].filter.role</c>).</summary>
    public static async Task<(List<(string Label, BandQuery Query)> Segments, Dictionary<string, string[]> Errors)> ParseAsync(
        CompareRequest request, TaxonomyCache taxonomy, CompDbContext db, CancellationToken cancellationToken)
    {
        var segments = new List<(string, BandQuery)>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < request.Segments!.Count; i++)
        {
            var segment = request.Segments[i];
            var filter = segment.Filter!;
            var (query, segmentErrors) = await BandQueryParser.ParseAsync(new BandRequest
            {
                Employer = filter.Employer,
                Role = filter.Role,
                Level = filter.Level,
                Region = filter.Region,
                From = filter.From,
                To = filter.To,
                Source = filter.Source,
                Verified = filter.Verified?.ToString(),
                Component = request.Component,
                Currency = request.Currency,
                AgedTo = request.AgedTo,
                Percentiles = request.Percentiles,
            }, taxonomy, db, cancellationToken);
            foreach (var (field, messages) in segmentErrors)
            {
                var shared = field is "component" or "currency" or "agedTo" or "percentiles";
                errors[shared ? field : $"segments[{i}].filter.{field}"] = messages;
            }
            if (query is not null)
                segments.Add((segment.Label!, query));
        }
        return (segments, errors);
    }
}
