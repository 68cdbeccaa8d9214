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
    Guid ApiKeyId);

/// <summary>The answer to a batch: how many rows were stored and which were not.</summary>
public sealed record BatchResult(Guid BatchId, int Accepted, IReadOnlyList<RejectedRow> Rejected);

/// <summary>A row the server refused; <see cref="Line"/> counts from 1, <see cref="Errors"/> maps fields to messages.</summary>
public sealed record RejectedRow(int Line, IReadOnlyDictionary<string, string[]> Errors);
