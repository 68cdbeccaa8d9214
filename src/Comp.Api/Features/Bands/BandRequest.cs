using Microsoft.AspNetCore.Mvc;

namespace Comp.Api.Features.Bands;

/// <summary>
/// The query string of a band route. Everything arrives as text and is parsed by
/// <see cref="BandQueryParser"/>, so a malformed value is a 400 naming its parameter.
/// </summary>
public sealed record BandRequest
{
    /// <summary>Employer slug(s), comma-separated, e.g. <c>openai</c> or <c>openai,meta</c>. A single employer lifts the multi-employer rules.</summary>
    [FromQuery(Name = "employer")] public string? Employer { get; init; }

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
    [FromQuery(Name = "verified")] public string? Verified { get; init; }

    /// <summary>base, bonus, equity, retention, signon, total (default) or year1.</summary>
    /// <example>base</example>
    [FromQuery(Name = "component")] public string? Component { get; init; }

    /// <summary>Percentiles to report, integers 1–99, comma-separated, e.g. <c>5,50,95</c> (default 10,25,50,75,90).</summary>
    [FromQuery(Name = "percentiles")] public string? Percentiles { get; init; }

    /// <summary>ISO 4217 currency of the answer (default USD). Each value is converted at the rate of the latest date on or before its effective date (the earliest rate when none is older); values in a currency without any rate are left out and counted.</summary>
    /// <example>USD</example>
    [FromQuery(Name = "currency")] public string? Currency { get; init; }

    /// <summary>Age every value to this date (YYYY-MM-DD, 1970-01-01 to 2999-12-31), e.g. <c>2025-01-01</c>: value × (1 + r)^(days / 365.25), r = <c>Aging:AnnualRate</c>, after currency conversion.</summary>
    [FromQuery(Name = "agedTo")] public string? AgedTo { get; init; }

    /// <summary>One cell per distinct value of these keys: employer, role, level, region (comma list), e.g. <c>employer,level</c>.</summary>
    [FromQuery(Name = "groupBy")] public string? GroupBy { get; init; }
}
