namespace Comp.Client;

public sealed record Employer(string Slug, string Name);

public sealed record Role(string Slug, string Title, string Family);

/// <summary>A level of the common ladder, <c>L1</c> (rank 1) to <c>L9</c>.</summary>
public sealed record Level(string Code, int Rank, string Title);

/// <summary>A country, subdivision or metro (<see cref="Kind"/>) with its default currency.</summary>
public sealed record Region(string Code, string Name, string? Parent, string Kind, string Currency);

/// <summary>An employer's level names mapped onto the ladder; <see cref="Remapped"/> on a PUT answer only.</summary>
/// <summary>An employer's default vesting schedules (yearly percentages; null: none); <see cref="Reapplied"/> on PUT answers.</summary>
public sealed record VestingDefaults(string Employer, IReadOnlyList<decimal>? Equity, IReadOnlyList<decimal>? Retention, int? Reapplied);

public sealed record LevelMapping(string Employer, IReadOnlyDictionary<string, string> Levels, int? Remapped);

/// <summary>US dollars per unit of <see cref="Currency"/> from <see cref="Date"/> on.</summary>
public sealed record FxRate(string Currency, DateOnly Date, decimal UsdPerUnit, string Source);

/// <summary>A new API key; <see cref="Key"/> is the secret, shown only in this answer.</summary>
public sealed record ApiKeyCreated(Guid Id, string Name, IReadOnlyList<string> Scopes, string Key, DateTimeOffset CreatedAt);

/// <summary>A stored API key, without its secret.</summary>
public sealed record ApiKeyInfo(Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);
