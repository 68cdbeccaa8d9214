namespace Comp.Client;

/// <summary>
/// One person's pay package at one time (SPEC §1). Amounts are annual unless said otherwise, in
/// <see cref="Currency"/>. Null fields are not sent; the server fills its defaults.
/// </summary>
public sealed record DatapointRequest
{
    /// <summary>Employer slug, e.g. <c>openai</c>; a new slug creates the employer.</summary>
    public string? Employer { get; init; }
    /// <summary>Display name for a new employer; the first name seen is kept.</summary>
    public string? EmployerName { get; init; }
    /// <summary>A role slug from <see cref="CompClient.GetRolesAsync"/>.</summary>
    public string? Role { get; init; }
    /// <summary>Ladder level <c>L1</c>–<c>L9</c>.</summary>
    public string? Level { get; init; }
    /// <summary>The employer's own level name, e.g. Meta <c>E5</c>.</summary>
    public string? EmployerLevel { get; init; }
    /// <summary>A region code, e.g. <c>us-ca-sf-bay-area</c>.</summary>
    public string? Region { get; init; }
    /// <summary>ISO 4217 code of every amount, upper case.</summary>
    public string? Currency { get; init; }
    /// <summary>When the package took effect; not in the future.</summary>
    public DateOnly? EffectiveDate { get; init; }
    public decimal? BaseSalary { get; init; }
    public decimal? TargetBonus { get; init; }
    /// <summary>One-time; in <c>year1</c>, not in <c>total</c>.</summary>
    public decimal? SignOnBonus { get; init; }
    /// <summary>Total grant value at grant date.</summary>
    public decimal? EquityGrant { get; init; }
    /// <summary>1–10, default 4.</summary>
    public int? EquityVestingYears { get; init; }
    /// <summary>Total value of a retention or refresh grant.</summary>
    public decimal? RetentionGrant { get; init; }
    /// <summary>1–10, default 4.</summary>
    public int? RetentionVestingYears { get; init; }
    /// <summary>
    /// Yearly percentages of the equity grant in vesting order, e.g. <c>[5, 15, 40, 40]</c>: 1–10 entries ≥ 0 summing to 100
    /// (within 0.01); its length is the vesting years. Null: the employer's default of the same length, else even vesting.
    /// </summary>
    public IReadOnlyList<decimal>? EquityVestingSchedule { get; init; }
    /// <summary>Yearly percentages of the retention grant, as for equity.</summary>
    public IReadOnlyList<decimal>? RetentionVestingSchedule { get; init; }
    /// <summary>
    /// <c>public_rsu</c>, <c>private_rsu_preferred</c>, <c>private_rsu_409a</c>, <c>options_spread</c>, <c>profit_units</c> or
    /// <c>cash_lti</c>; null when unknown.
    /// </summary>
    public string? EquityBasis { get; init; }
    /// <summary><c>new_hire</c> (the server's default), <c>current</c>, <c>retention</c>, <c>promotion</c> or <c>acquisition</c>.</summary>
    public string? PackageType { get; init; }
    public decimal? YearsOfExperience { get; init; }
    /// <summary><c>self_reported</c>, <c>offer_letter</c>, <c>employer_survey</c>, <c>public_filing</c>, <c>press_report</c> or <c>aggregator</c>.</summary>
    public string? Source { get; init; }
    /// <summary>Where the figure comes from, e.g. <c>Glassdoor</c>.</summary>
    public string? SourceNote { get; init; }
    /// <summary>Checked against a document; default false.</summary>
    public bool? Verified { get; init; }
}

/// <summary>A stored datapoint, as given, with what the server added.</summary>
public sealed record Datapoint(
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
    /// <summary>The yearly percentages the equity grant vests by (its own or its employer's default); null for even vesting.</summary>
    public IReadOnlyList<decimal>? EquityVestingSchedule { get; init; }
    /// <summary>Whether <see cref="EquityVestingSchedule"/> is the employer's default.</summary>
    public bool EquityScheduleFromEmployer { get; init; }
    /// <summary>The yearly percentages the retention grant vests by; null for even vesting.</summary>
    public IReadOnlyList<decimal>? RetentionVestingSchedule { get; init; }
    /// <summary>Whether <see cref="RetentionVestingSchedule"/> is the employer's default.</summary>
    public bool RetentionScheduleFromEmployer { get; init; }
    /// <summary>How the equity is valued; null when unknown.</summary>
    public string? EquityBasis { get; init; }
    /// <summary>What kind of package this is.</summary>
    public string PackageType { get; init; } = "new_hire";
}

/// <summary>The answer to a batch: how many rows were stored and which were not.</summary>
public sealed record BatchResult(Guid BatchId, int Accepted, IReadOnlyList<RejectedRow> Rejected);

/// <summary>A row the server refused; <see cref="Line"/> counts from 1, <see cref="Errors"/> maps fields to messages.</summary>
public sealed record RejectedRow(int Line, IReadOnlyDictionary<string, string[]> Errors);
