using System.Globalization;
using Comp.Api.Data;
using Comp.Api.Features.Taxonomy;
using Comp.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Bands;

/// <summary>The keys a band can be grouped by, in their wire names.</summary>
public static class GroupKeys
{
    public const string Employer = "employer";
    public const string Role = "role";
    public const string Level = "level";
    public const string Region = "region";
    /// <summary>The effective-date period of a trend (<c>2024</c> or <c>2024-Q2</c>); not a groupBy value.</summary>
    public const string Period = "period";
    public static readonly IReadOnlyList<string> All = [Employer, Role, Level, Region];
}

/// <summary>
/// A band request with every filter resolved once: employer slugs to ids, regions to the region
/// and its descendants, percentiles parsed. Stores answer it without looking anything up.
/// </summary>
public sealed record BandQuery
{
    public IReadOnlyList<int> EmployerIds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Levels { get; init; } = [];
    /// <summary>Requested regions expanded to themselves and all their descendants.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public IReadOnlyList<string> Sources { get; init; } = [];
    public bool? Verified { get; init; }
    public Component Component { get; init; } = Component.Total;
    public IReadOnlyList<int> Percentiles { get; init; } = Statistics.Percentiles.Default;
    public string Currency { get; init; } = "USD";
    public DateOnly? AgedTo { get; init; }
    public IReadOnlyList<string> GroupBy { get; init; } = [];
    /// <summary><c>quarter</c> or <c>year</c> when the cells are a trend's periods (then <see cref="GroupBy"/> starts with period).</summary>
    public string? Interval { get; init; }

    /// <summary>
    /// Whether the cells may hold several employers' datapoints, which brings in the employer
    /// rules of SPEC §2: not when one employer is filtered, nor when cells are per employer.
    /// </summary>
    public bool CellsSpanEmployers => EmployerIds.Count != 1 && !GroupBy.Contains(GroupKeys.Employer);
}

public static class BandQueryParser
{
    public static readonly DateOnly EarliestAgedTo = new(1970, 1, 1);
    public static readonly DateOnly LatestAgedTo = new(2999, 12, 31);

    public static async Task<(BandQuery? Query, Dictionary<string, string[]> Errors)> ParseAsync(
        BandRequest request, TaxonomyCache taxonomyCache, CompDbContext db, CancellationToken cancellationToken)
    {
        var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        var employerSlugs = List(request.Employer);
        var employerIds = new List<int>();
        if (employerSlugs.Count > 0)
        {
            // PostgreSQL text cannot hold U+0000: such a slug names no employer and is not sent.
            var lookup = employerSlugs.Where(s => !s.Contains('\0')).ToList();
            var found = await db.Employers.AsNoTracking().Where(e => lookup.Contains(e.Slug))
                .ToDictionaryAsync(e => e.Slug, e => e.Id, cancellationToken);
            var unknown = employerSlugs.Where(s => !found.ContainsKey(s)).ToList();
            if (unknown.Count > 0)
                Error("employer", $"Unknown employer(s): {string.Join(", ", unknown)}. Employers are listed at GET /v1/employers.");
            employerIds.AddRange(found.Values.Distinct());
        }

        var roles = List(request.Role);
        if (roles.FirstOrDefault(r => !taxonomy.Roles.ContainsKey(r)) is { } badRole)
            Error("role", $"Unknown role '{badRole}'. The valid roles are listed at GET /v1/roles.");

        var levels = List(request.Level);
        if (levels.FirstOrDefault(l => !taxonomy.Levels.ContainsKey(l)) is { } badLevel)
            Error("level", $"Unknown level '{badLevel}'. The ladder levels L1–L9 are listed at GET /v1/levels.");

        var regions = new List<string>();
        foreach (var region in List(request.Region))
        {
            if (!taxonomy.Regions.ContainsKey(region))
            {
                Error("region", $"Unknown region '{region}'. The valid regions are listed at GET /v1/regions.");
                break;
            }
            regions.AddRange(taxonomy.RegionAndDescendants(region));
        }

        var from = Date(request.From, "from", Error);
        var to = Date(request.To, "to", Error);
        if (from is not null && to is not null && from > to)
            Error("to", "Must be on or after 'from'.");

        var sources = List(request.Source);
        if (sources.FirstOrDefault(s => !DatapointSources.IsKnown(s)) is { } badSource)
            Error("source", $"Unknown source '{badSource}'. Must be one of: {string.Join(", ", DatapointSources.All)}.");

        bool? verified = null;
        if (request.Verified is not null)
        {
            if (bool.TryParse(request.Verified, out var v))
                verified = v;
            else
                Error("verified", "Must be true or false.");
        }

        if (!Components.TryParse(request.Component, out var component))
            Error("component", $"Unknown component '{request.Component}'. Must be one of: {string.Join(", ", Components.Names)}.");

        if (!Statistics.Percentiles.TryParseList(request.Percentiles, out var percentiles, out var percentileError))
            Error("percentiles", percentileError!);

        var currency = string.IsNullOrEmpty(request.Currency) ? "USD" : request.Currency;
        if (!Currencies.IsKnown(currency))
            Error("currency", $"Unknown currency '{currency}'. Give an ISO 4217 code in upper case, e.g. USD or EUR.");
        else if (!taxonomy.RatedCurrencies.Contains(currency))
            Error("currency", $"No FX rate for {currency}: bands are answered in currencies the FX table covers (GET /v1/fx-rates).");

        var agedTo = Date(request.AgedTo, "agedTo", Error);
        // Far dates overflow the aged amounts (and 0001-01-01 and 9999-12-31 are PostgreSQL's infinities).
        if (agedTo is { } aged && (aged < EarliestAgedTo || aged > LatestAgedTo))
            Error("agedTo", $"Must be from {EarliestAgedTo:yyyy-MM-dd} to {LatestAgedTo:yyyy-MM-dd}.");

        var groupBy = string.IsNullOrWhiteSpace(request.GroupBy) ? [] : request.GroupBy.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (groupBy.FirstOrDefault(g => !GroupKeys.All.Contains(g)) is { } badGroup)
            Error("groupBy", $"Cannot group by '{badGroup}'. Group by any of: {string.Join(", ", GroupKeys.All)}.");
        else if (groupBy.Count != groupBy.Distinct().Count())
            Error("groupBy", "Name each key once.");

        if (errors.Count > 0)
            return (null, errors);
        return (new BandQuery
        {
            EmployerIds = employerIds,
            Roles = roles,
            Levels = levels,
            Regions = regions.Distinct().ToList(),
            From = from,
            To = to,
            Sources = sources,
            Verified = verified,
            Component = component,
            Percentiles = percentiles,
            Currency = currency,
            AgedTo = agedTo,
            GroupBy = groupBy,
        }, errors);
    }

    private static List<string> List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();

    private static DateOnly? Date(string? text, string field, Action<string, string> error)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        error(field, "Must be a date as YYYY-MM-DD.");
        return null;
    }
}
