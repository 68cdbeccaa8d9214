namespace Comp.Api.Data;

public sealed class Employer
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The yearly percentages the employer's equity grants vest by when a datapoint gives none (and its vesting years are this long).</summary>
    public decimal[]? EquityVestingDefault { get; set; }
    /// <summary>The same for retention grants.</summary>
    public decimal[]? RetentionVestingDefault { get; set; }
    /// <summary>The employer's industry, a slug of <see cref="Industry"/> (null: not set).</summary>
    public string? Industry { get; set; }
    /// <summary>One of <see cref="EmployerAttributes.Stages"/> (null: not set).</summary>
    public string? Stage { get; set; }
    /// <summary>One of <see cref="EmployerAttributes.Headcounts"/> (null: not set).</summary>
    public string? Headcount { get; set; }
    /// <summary>The region code of the employer's headquarters (null: not set).</summary>
    public string? Hq { get; set; }
}

/// <summary>An entry of the controlled list of employer industries (seeded by migration, extended by admins).</summary>
public sealed class Industry
{
    public required string Slug { get; set; }
    public required string Name { get; set; }
}

public sealed class Role
{
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Family { get; set; }
}

/// <summary>A rung of the common ladder, L1 (entry) … L9 (distinguished/fellow).</summary>
public sealed class Level
{
    public required string Code { get; set; }
    public int Rank { get; set; }
    public required string Title { get; set; }
}

public sealed class Region
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? ParentCode { get; set; }
    public required string Kind { get; set; }
    public required string Currency { get; set; }
}

/// <summary>One person's package at one time. Amounts are stored exactly as given, in their own currency.</summary>
public sealed class Datapoint
{
    public Guid Id { get; set; }
    public int EmployerId { get; set; }
    public Employer? Employer { get; set; }
    public required string Role { get; set; }
    public string? Level { get; set; }
    /// <summary>True when <see cref="Level"/> came from the employer's level mapping (and follows it when it changes).</summary>
    public bool LevelMapped { get; set; }
    public string? EmployerLevel { get; set; }
    public required string Region { get; set; }
    public required string Currency { get; set; }
    public DateOnly EffectiveDate { get; set; }
    public decimal BaseSalary { get; set; }
    public decimal? TargetBonus { get; set; }
    public decimal? SignOnBonus { get; set; }
    public decimal? EquityGrant { get; set; }
    public int EquityVestingYears { get; set; }
    public decimal? RetentionGrant { get; set; }
    public int RetentionVestingYears { get; set; }
    /// <summary>
    /// The yearly percentages the equity grant vests by (its length is <see cref="EquityVestingYears"/>):
    /// the datapoint's own, or its employer's default; null for even vesting.
    /// </summary>
    public decimal[]? EquityVestingSchedule { get; set; }
    /// <summary>True when <see cref="EquityVestingSchedule"/> is the employer's default (and follows it when it changes).</summary>
    public bool EquityScheduleFromEmployer { get; set; }
    /// <inheritdoc cref="EquityVestingSchedule"/>
    public decimal[]? RetentionVestingSchedule { get; set; }
    /// <inheritdoc cref="EquityScheduleFromEmployer"/>
    public bool RetentionScheduleFromEmployer { get; set; }
    /// <summary>How the equity is valued (<see cref="Comp.Statistics.EquityBases"/>); null when unknown.</summary>
    public string? EquityBasis { get; set; }
    /// <summary>What kind of package this is (<see cref="Comp.Statistics.PackageTypes"/>).</summary>
    public string PackageType { get; set; } = Comp.Statistics.PackageTypes.Default;
    public decimal? YearsOfExperience { get; set; }
    public required string Source { get; set; }
    public string? SourceNote { get; set; }
    public bool Verified { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid ApiKeyId { get; set; }
    /// <summary>The batch that brought the datapoint, if it came in one.</summary>
    public Guid? BatchId { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string[] Scopes { get; set; }
    /// <summary>SHA-256 of the secret; the secret itself is never stored.</summary>
    public required byte[] SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>One entry of an employer's level mapping: its own level name onto the ladder.</summary>
public sealed class EmployerLevel
{
    public int EmployerId { get; set; }
    public required string Name { get; set; }
    public required string Level { get; set; }
}

/// <summary>How many US dollars one unit of a currency buys from a date on, and who says so.</summary>
public sealed class FxRate
{
    public required string Currency { get; set; }
    public DateOnly Date { get; set; }
    public decimal UsdPerUnit { get; set; }
    public required string Source { get; set; }
}

/// <summary>
/// The stored answer to a write sent with an <c>Idempotency-Key</c>: a repeat with the same key
/// and body gets this answer again and stores nothing; the same key with another body is a 409.
/// </summary>
public sealed class IdempotencyRecord
{
    public Guid ApiKeyId { get; set; }
    public required string Key { get; set; }
    public required string Route { get; set; }
    public required byte[] RequestHash { get; set; }
    public int StatusCode { get; set; }
    public required string ResponseBody { get; set; }
    public string? Location { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
