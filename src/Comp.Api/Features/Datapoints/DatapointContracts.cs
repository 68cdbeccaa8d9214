namespace Comp.Api.Features.Datapoints;

/// <summary>One person's pay package at one time. Amounts are annual unless said otherwise, in <c>currency</c>.</summary>
public sealed record DatapointRequest
{
    /// <summary>Employer slug (<c>[a-z0-9-]</c>, at most 100 characters). A new slug creates the employer.</summary>
    /// <example>openai</example>
    public string? Employer { get; init; }

    /// <summary>Display name for a new employer; the first name seen is kept.</summary>
    /// <example>OpenAI</example>
    public string? EmployerName { get; init; }

    /// <summary>A role slug from <c>GET /v1/roles</c>.</summary>
    /// <example>research-scientist</example>
    public string? Role { get; init; }

    /// <summary>Ladder level <c>L1</c>–<c>L9</c> from <c>GET /v1/levels</c>.</summary>
    /// <example>L6</example>
    public string? Level { get; init; }

    /// <summary>The employer's own level name, e.g. Meta <c>E5</c>.</summary>
    /// <example>L5</example>
    public string? EmployerLevel { get; init; }

    /// <summary>A region code from <c>GET /v1/regions</c>, e.g. <c>us-ca-sf-bay-area</c>.</summary>
    /// <example>us-ca-sf-bay-area</example>
    public string? Region { get; init; }

    /// <summary>ISO 4217 code of every amount, upper case.</summary>
    /// <example>USD</example>
    public string? Currency { get; init; }

    /// <summary>When the package took effect (ISO date, not in the future).</summary>
    /// <example>2024-04-01</example>
    public DateOnly? EffectiveDate { get; init; }

    /// <summary>Annual base salary; above 0 and at most 100,000,000.</summary>
    /// <example>340000</example>
    public decimal? BaseSalary { get; init; }

    /// <summary>Annual target cash bonus.</summary>
    /// <example>0</example>
    public decimal? TargetBonus { get; init; }

    /// <summary>One-time sign-on bonus (not part of <c>total</c>; part of <c>year1</c>).</summary>
    /// <example>500000</example>
    public decimal? SignOnBonus { get; init; }

    /// <summary>Total equity grant value at grant date; the <c>equity</c> component is this divided by <c>equityVestingYears</c>.</summary>
    /// <example>28000000</example>
    public decimal? EquityGrant { get; init; }

    /// <summary>Years over which the equity grant vests, 1–10 (default 4).</summary>
    /// <example>4</example>
    public int? EquityVestingYears { get; init; }

    /// <summary>Total value of a retention/refresh grant; the <c>retention</c> component is this divided by <c>retentionVestingYears</c>.</summary>
    /// <example>2000000</example>
    public decimal? RetentionGrant { get; init; }

    /// <summary>Years over which the retention grant vests, 1–10 (default 4).</summary>
    /// <example>4</example>
    public int? RetentionVestingYears { get; init; }

    /// <summary>
    /// The equity grant's yearly percentages in vesting order, e.g. <c>[5, 15, 40, 40]</c>: 1–10 entries, each ≥ 0 with at most 4
    /// decimals, summing to 100 (within 0.01). Its length is the vesting years (<c>equityVestingYears</c>, if given, must agree).
    /// Absent: the employer's default of the same length (<c>GET /v1/employers/{slug}/vesting</c>), else even vesting.
    /// </summary>
    /// <example>[25, 25, 25, 25]</example>
    public List<decimal>? EquityVestingSchedule { get; init; }

    /// <summary>The retention grant's yearly percentages, by the same rules as <c>equityVestingSchedule</c> (its length is <c>retentionVestingYears</c>).</summary>
    /// <example>[50, 50]</example>
    public List<decimal>? RetentionVestingSchedule { get; init; }

    /// <summary>How the equity is valued: <c>public_rsu</c>, <c>private_rsu_preferred</c>, <c>private_rsu_409a</c>, <c>options_spread</c>, <c>profit_units</c> or <c>cash_lti</c>; absent when unknown.</summary>
    /// <example>profit_units</example>
    public string? EquityBasis { get; init; }

    /// <summary>What kind of package this is: <c>new_hire</c> (default), <c>current</c>, <c>retention</c>, <c>promotion</c> or <c>acquisition</c>.</summary>
    /// <example>new_hire</example>
    public string? PackageType { get; init; }

    /// <summary>Years of professional experience, 0–70.</summary>
    /// <example>8</example>
    public decimal? YearsOfExperience { get; init; }

    /// <summary>One of <c>self_reported</c>, <c>offer_letter</c>, <c>employer_survey</c>, <c>public_filing</c>, <c>press_report</c>, <c>aggregator</c>.</summary>
    /// <example>press_report</example>
    public string? Source { get; init; }

    /// <summary>Where the figure comes from, e.g. <c>The Information</c>.</summary>
    /// <example>The Information</example>
    public string? SourceNote { get; init; }

    /// <summary>Whether the figure was checked against a document (default false).</summary>
    /// <example>false</example>
    public bool? Verified { get; init; }
}

/// <summary>A stored datapoint, as given, with what the server added.</summary>
public sealed record DatapointResponse(
    Guid Id,
    string Employer,
    string EmployerName,
    string Role,
    string? Level,
    string? EmployerLevel,
    string Region,
    string Currency,
    DateOnly EffectiveDate,
    decimal BaseSalary,
    decimal? TargetBonus,
    decimal? SignOnBonus,
    decimal? EquityGrant,
    int EquityVestingYears,
    decimal? RetentionGrant,
    int RetentionVestingYears,
    decimal? YearsOfExperience,
    string Source,
    string? SourceNote,
    bool Verified,
    DateTimeOffset CreatedAt,
    Guid ApiKeyId)
{
    /// <summary>The yearly percentages the equity grant vests by: its own, or its employer's default (<c>equityScheduleFromEmployer</c>); null for even vesting.</summary>
    public IReadOnlyList<decimal>? EquityVestingSchedule { get; init; }

    /// <summary>Whether <c>equityVestingSchedule</c> is the employer's default (it follows the default when that changes).</summary>
    public bool EquityScheduleFromEmployer { get; init; }

    /// <summary>The yearly percentages the retention grant vests by, as for equity.</summary>
    public IReadOnlyList<decimal>? RetentionVestingSchedule { get; init; }

    /// <summary>Whether <c>retentionVestingSchedule</c> is the employer's default.</summary>
    public bool RetentionScheduleFromEmployer { get; init; }

    /// <summary>How the equity is valued; null when unknown.</summary>
    public string? EquityBasis { get; init; }

    /// <summary>What kind of package this is (<c>new_hire</c> unless given).</summary>
    public required string PackageType { get; init; }
}
