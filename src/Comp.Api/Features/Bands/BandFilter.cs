using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Comp.Api.Contracts;
using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Comp.Api.Features.Bands;

/// <summary>
/// The filters of a band: the query parameters of every GET band route (bound with
/// <c>[AsParameters]</c>) and the <c>filter</c> of a compare or chart segment (JSON). All filters
/// combine; a comma list within one filter means any of them. Values arrive as text and
/// <see cref="BandFilterValidator"/> names the parameter of any malformed one.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BandFilter
{
    /// <summary>Employer slug(s), comma-separated, e.g. <c>openai</c> or <c>openai,meta</c>. A single employer lifts the multi-employer rules.</summary>
    [FromQuery(Name = "employer")] public string? Employer { get; init; }

    /// <summary>Employer slug(s) to leave out of the cut, comma-separated, e.g. <c>openai</c>: a participant benchmarks against the market without itself. The multi-employer rules apply to what remains (unless <c>employer</c> names one).</summary>
    [FromQuery(Name = "excludeEmployer")] public string? ExcludeEmployer { get; init; }

    /// <summary>Role slug(s), comma-separated, e.g. <c>ml-engineer</c>.</summary>
    /// <example>ml-engineer</example>
    [FromQuery(Name = "role")] public string? Role { get; init; }

    /// <summary>Ladder level(s) <c>L1</c>–<c>L9</c>, comma-separated, e.g. <c>L5,L6</c>.</summary>
    [FromQuery(Name = "level")] public string? Level { get; init; }

    /// <summary>Region code(s), comma-separated; each matches the region and all its descendants (<c>us</c> covers <c>us-ca-sf-bay-area</c>).</summary>
    /// <example>us-ca</example>
    [FromQuery(Name = "region")] public string? Region { get; init; }

    /// <summary>Earliest effective date, inclusive (YYYY-MM-DD), e.g. <c>2024-01-01</c>.</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }

    /// <summary>Latest effective date, inclusive (YYYY-MM-DD), e.g. <c>2024-12-31</c>.</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }

    /// <summary>Source(s), comma-separated, e.g. <c>press_report</c>: self_reported, offer_letter, employer_survey, public_filing, press_report, aggregator.</summary>
    [FromQuery(Name = "source")] public string? Source { get; init; }

    /// <summary>Verification filter, e.g. <c>true</c> for verified datapoints only; <c>false</c> for unverified only; absent for both.</summary>
    [FromQuery(Name = "verified")] [JsonConverter(typeof(ScalarText)), JsonValueType(JsonSchemaType.Boolean)] public string? Verified { get; init; }

    /// <summary>Equity basis(es), comma-separated, e.g. <c>public_rsu</c>: public_rsu, private_rsu_preferred, private_rsu_409a, options_spread, profit_units, cash_lti. A datapoint of unknown basis matches none.</summary>
    [FromQuery(Name = "equityBasis")] public string? EquityBasis { get; init; }

    /// <summary>Package type(s), comma-separated, e.g. <c>new_hire</c>: new_hire, current, retention, promotion, acquisition.</summary>
    [FromQuery(Name = "packageType")] public string? PackageType { get; init; }

    /// <summary>Least years of experience, inclusive (0–70, one decimal at most), e.g. <c>3</c>. A datapoint without years of experience is outside any such range.</summary>
    [FromQuery(Name = "minYearsOfExperience")] [JsonConverter(typeof(ScalarText)), JsonValueType(JsonSchemaType.Number)] public string? MinYearsOfExperience { get; init; }

    /// <summary>Most years of experience, inclusive (0–70, one decimal at most), e.g. <c>10</c>. A datapoint without years of experience is outside any such range.</summary>
    [FromQuery(Name = "maxYearsOfExperience")] [JsonConverter(typeof(ScalarText)), JsonValueType(JsonSchemaType.Number)] public string? MaxYearsOfExperience { get; init; }

    /// <summary>Employer industry(ies), comma-separated, e.g. <c>ai-lab</c>: the datapoints of employers whose industry (GET /v1/employers) is one of them. Industries are listed at GET /v1/industries.</summary>
    /// <example>ai-lab</example>
    [FromQuery(Name = "industry")] public string? Industry { get; init; }

    /// <summary>Employer stage(s), comma-separated, e.g. <c>public</c>: public, private-late, private-growth, private-early, nonprofit, government.</summary>
    [FromQuery(Name = "stage")] public string? Stage { get; init; }

    /// <summary>Employer headcount band(s), comma-separated, e.g. <c>20001-plus</c>: 1-50, 51-200, 201-1000, 1001-5000, 5001-20000, 20001-plus.</summary>
    [FromQuery(Name = "headcount")] public string? Headcount { get; init; }

    /// <summary>The id of one of your saved peer groups (GET /v1/peer-groups), e.g. <c>019ae4c2-5b1e-7c3d-9a4f-2e6b8d0c1f3a</c>: the datapoints of its employers (a rule group's: those that match it now), within the other employer filters. Its cells span employers (unless <c>employer</c> names one); in the protected tier what remains needs at least <c>Disclosure:MinPeerGroupEmployers</c> employers (409). Another key's group, or none, is a 400.</summary>
    [FromQuery(Name = "peerGroup")] public string? PeerGroup { get; init; }

    /// <summary>The filter's query parameters that are set, as a short label (charts).</summary>
    public string Describe()
    {
        var parts = new[]
        {
            Role, Employer, Industry, Stage, Headcount, Level, Region, Source, EquityBasis, PackageType,
            Present(PeerGroup) is { } peers ? "peer group " + peers : null,
            Present(ExcludeEmployer) is { } excluded ? "without " + excluded : null,
            Present(From) is { } from ? "from " + from : null,
            Present(To) is { } to ? "to " + to : null,
            Present(Verified) is { } verified && bool.TryParse(verified, out var only) ? (only ? "verified" : "unverified") : null,
            (Present(MinYearsOfExperience), Present(MaxYearsOfExperience)) switch
            {
                (null, null) => null,
                ({ } min, null) => $"≥ {min} years",
                (null, { } max) => $"≤ {max} years",
                ({ } min, { } max) => $"{min}–{max} years",
            },
        }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return parts.Count == 0 ? "all datapoints" : string.Join(" · ", parts);
    }

    /// <summary>An empty parameter (<c>?verified=</c>) is absent, as it is for every text filter.</summary>
    internal static string? Present(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>
    /// The filter resolved for the engine: employers to ids, regions to themselves and their
    /// descendants, text to values. Employer attributes (industry, stage, headcount) resolve to the
    /// ids of the employers that have them, and a peer group to its members (a rule group's: the
    /// employers whose attributes match it in this taxonomy snapshot), each intersected with the
    /// other employer filters given, so the engine's employer filter does the work in every store;
    /// <c>excludeEmployer</c> takes its employers out of that set, or out of every employer when no
    /// other employer filter is set. A set chosen employer by employer (a comma list, a peer group,
    /// an exclusion) carries its size for the protected tier's rule (<see cref="BandQuery.EmployerSet"/>):
    /// public taxonomy, known before any datapoint is read.
    /// </summary>
    public async Task<BandQuery> ResolveAsync(TaxonomySnapshot taxonomy, EmployerDirectory employers, CancellationToken cancellationToken)
    {
        var named = await employers.IdsAsync(BandText.List(Employer), cancellationToken);
        var ids = named.Values.Distinct().ToList();
        var restricted = named.Count > 0;
        var attributes = new[] { ("industry", BandText.List(Industry)), ("stage", BandText.List(Stage)), ("headcount", BandText.List(Headcount)) }
            .Where(a => a.Item2.Count > 0).ToList();
        if (attributes.Count > 0)
        {
            var matching = taxonomy.EmployerAttributes
                .Where(e => attributes.All(a => e.Value.Of(a.Item1) is { } value && a.Item2.Contains(value)))
                .Select(e => e.Key);
            ids = (restricted ? matching.Intersect(ids) : matching).Order().ToList();
            restricted = true;
        }
        var peers = Present(PeerGroup) is { } peerGroup
            ? await employers.PeerGroupAsync(peerGroup, cancellationToken)
                ?? throw new InvalidOperationException("peerGroup names no group of the caller's: the validator's lookup, remembered for the request, lets none through.")
            : null;
        if (peers is not null)
        {
            var members = peers.EmployerIds
                ?? taxonomy.EmployerAttributes.Where(e => peers.Matches(e.Value.Industry, e.Value.Stage, e.Value.Headcount)).Select(e => e.Key).ToArray();
            ids = (restricted ? members.Intersect(ids) : members).Distinct().Order().ToList();
            restricted = true;
        }
        var excluded = (await employers.IdsAsync(BandText.List(ExcludeEmployer), cancellationToken)).Values.Distinct().ToList();
        if (restricted)
            ids = ids.Except(excluded).ToList();
        int? employerSet = null;
        if (named.Count >= 2 || peers is not null || excluded.Count > 0)
            employerSet = restricted ? ids.Count : Math.Max(0, await employers.CountAsync(cancellationToken) - excluded.Count);
        return new BandQuery
        {
            EmployerIds = ids,
            EmployersNarrowed = attributes.Count > 0 || peers is not null || excluded.Count > 0,
            EmployerSet = employerSet,
            ExcludedEmployerIds = restricted ? [] : excluded,
            MatchesNoEmployer = restricted && ids.Count == 0,
            NamedEmployers = named.Count,
            EmployerAttributes = taxonomy.EmployerAttributes,
            Industries = taxonomy.Industries.Keys.Order(StringComparer.Ordinal).ToList(),
            Roles = BandText.List(Role),
            Levels = BandText.List(Level),
            Regions = BandText.List(Region).SelectMany(taxonomy.RegionAndDescendants).Distinct().ToList(),
            From = BandText.Date(From),
            To = BandText.Date(To),
            Sources = BandText.List(Source),
            Verified = Present(Verified) is { } verified ? bool.Parse(verified) : null,
            EquityBases = BandText.List(EquityBasis),
            PackageTypes = BandText.List(PackageType),
            Ranges = Present(MinYearsOfExperience) is null && Present(MaxYearsOfExperience) is null
                ? []
                : [new RangeFilter("yearsOfExperience", BandText.Number(MinYearsOfExperience), BandText.Number(MaxYearsOfExperience))],
        };
    }
}

public sealed class BandFilterValidator : AbstractValidator<BandFilter>
{
    public BandFilterValidator(ITaxonomy taxonomyCache, EmployerDirectory employers)
    {
        async Task KnownEmployers(string? text, ValidationContext<BandFilter> context, CancellationToken cancellationToken)
        {
            var slugs = BandText.List(text);
            var found = await employers.IdsAsync(slugs, cancellationToken);
            var unknown = slugs.Where(s => !found.ContainsKey(s)).ToList();
            if (unknown.Count > 0)
                context.AddFailure($"Unknown employer(s): {string.Join(", ", unknown)}. Employers are listed at GET /v1/employers.");
        }
        RuleFor(f => f.Employer).CustomAsync(KnownEmployers);
        RuleFor(f => f.ExcludeEmployer).CustomAsync(KnownEmployers);
        RuleFor(f => f.PeerGroup).CustomAsync(async (text, context, cancellationToken) =>
        {
            // Unknown, malformed and another key's group read alike: a caller cannot tell whether an id exists.
            if (BandFilter.Present(text) is { } id && await employers.PeerGroupAsync(id, cancellationToken) is null)
                context.AddFailure($"Unknown peer group '{id}'. Give the id of one of your key's peer groups (GET /v1/peer-groups).");
        });
        RuleFor(f => f.Industry).CustomAsync(async (text, context, cancellationToken) =>
        {
            var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
            if (BandText.List(text).FirstOrDefault(i => !taxonomy.Industries.ContainsKey(i)) is { } bad)
                context.AddFailure($"Unknown industry '{bad}'. The industries are listed at GET /v1/industries.");
        });
        RuleFor(f => f.Stage).Must(s => BandText.List(s).All(EmployerAttributes.IsStage))
            .WithMessage(f => $"Unknown stage '{BandText.List(f.Stage).First(s => !EmployerAttributes.IsStage(s))}'. Must be one of: {string.Join(", ", EmployerAttributes.Stages)}.");
        RuleFor(f => f.Headcount).Must(h => BandText.List(h).All(EmployerAttributes.IsHeadcount))
            .WithMessage(f => $"Unknown headcount '{BandText.List(f.Headcount).First(h => !EmployerAttributes.IsHeadcount(h))}'. Must be one of: {string.Join(", ", EmployerAttributes.Headcounts)}.");
        RuleFor(f => f.Role).CustomAsync(async (text, context, cancellationToken) =>
        {
            var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
            if (BandText.List(text).FirstOrDefault(r => !taxonomy.Roles.ContainsKey(r)) is { } bad)
                context.AddFailure($"Unknown role '{bad}'. The valid roles are listed at GET /v1/roles.");
        });
        RuleFor(f => f.Level).CustomAsync(async (text, context, cancellationToken) =>
        {
            var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
            if (BandText.List(text).FirstOrDefault(l => !taxonomy.Levels.ContainsKey(l)) is { } bad)
                context.AddFailure($"Unknown level '{bad}'. The ladder levels L1–L9 are listed at GET /v1/levels.");
        });
        RuleFor(f => f.Region).CustomAsync(async (text, context, cancellationToken) =>
        {
            var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
            if (BandText.List(text).FirstOrDefault(r => !taxonomy.Regions.ContainsKey(r)) is { } bad)
                context.AddFailure($"Unknown region '{bad}'. The valid regions are listed at GET /v1/regions.");
        });
        RuleFor(f => f.From).Must(BandText.IsDate).WithMessage(BandText.DateMessage);
        RuleFor(f => f.To).Must(BandText.IsDate).WithMessage(BandText.DateMessage)
            .Must((f, to) => !(BandText.Date(f.From) is { } from && BandText.Date(to) is { } end && from > end))
            .WithMessage("Must be on or after 'from'.");
        RuleFor(f => f.Source).Must(s => BandText.List(s).All(DatapointSources.IsKnown))
            .WithMessage(f => $"Unknown source '{BandText.List(f.Source).First(s => !DatapointSources.IsKnown(s))}'. Must be one of: {string.Join(", ", DatapointSources.All)}.");
        RuleFor(f => f.EquityBasis).Must(b => BandText.List(b).All(EquityBases.IsKnown))
            .WithMessage(f => $"Unknown equity basis '{BandText.List(f.EquityBasis).First(b => !EquityBases.IsKnown(b))}'. Must be one of: {string.Join(", ", EquityBases.All)}.");
        RuleFor(f => f.PackageType).Must(t => BandText.List(t).All(PackageTypes.IsKnown))
            .WithMessage(f => $"Unknown package type '{BandText.List(f.PackageType).First(t => !PackageTypes.IsKnown(t))}'. Must be one of: {string.Join(", ", PackageTypes.All)}.");
        RuleFor(f => f.Verified).Must(v => string.IsNullOrWhiteSpace(v) || bool.TryParse(v, out _)).WithMessage("Must be true or false.");
        RuleFor(f => f.MinYearsOfExperience).Must(BandText.IsYears).WithMessage(BandText.YearsMessage);
        RuleFor(f => f.MaxYearsOfExperience).Must(BandText.IsYears).WithMessage(BandText.YearsMessage)
            .Must((f, max) => !(BandText.Number(f.MinYearsOfExperience) is { } min && BandText.Number(max) is { } most && min > most))
            .WithMessage("Must be at least 'minYearsOfExperience'.");
    }
}

/// <summary>How band parameters are written as text.</summary>
internal static class BandText
{
    public const string DateMessage = "Must be a date as YYYY-MM-DD.";
    public const string YearsMessage = "Must be a number of years from 0 to 70 with at most one decimal, e.g. 3 or 7.5.";

    public static List<string> List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();

    public static DateOnly? Date(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    public static bool IsDate(string? text) => string.IsNullOrEmpty(text) || Date(text) is not null;

    /// <summary>A number parsed as double from its text (as PostgreSQL reads numeric into float8: correctly rounded).</summary>
    public static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool IsYears(string? text) =>
        string.IsNullOrWhiteSpace(text) || (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var years)
            && years is >= 0 and <= 70 && years == decimal.Round(years, 1));
}

/// <summary>
/// Reads a JSON string, number or boolean as its text, so a JSON filter (<c>"verified": true</c>,
/// <c>"minYearsOfExperience": 3</c>) is checked by the same rules as the query string.
/// </summary>
public sealed class ScalarText : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Must be a string, a number or true/false."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
