namespace Comp.Api.Data;

/// <summary>
/// The fixed vocabularies of an employer's attributes (issue 18). Industries are a table
/// (<see cref="Industry"/>), seeded with <see cref="SeedIndustries"/> and extended by admins; a
/// headquarters is a region code.
/// </summary>
public static class EmployerAttributes
{
    public static readonly IReadOnlyList<string> Stages =
        ["public", "private-late", "private-growth", "private-early", "nonprofit", "government"];

    public static readonly IReadOnlyList<string> Headcounts =
        ["1-50", "51-200", "201-1000", "1001-5000", "5001-20000", "20001-plus"];

    /// <summary>The industries the migration seeds.</summary>
    public static readonly IReadOnlyList<(string Slug, string Name)> SeedIndustries =
    [
        ("ai-lab", "AI lab"), ("big-tech", "Big tech"), ("fintech", "Fintech"), ("saas", "SaaS"),
        ("hardware", "Hardware"), ("consulting", "Consulting"), ("public-sector", "Public sector"),
    ];

    public static bool IsStage(string? value) => value is not null && Stages.Contains(value);

    public static bool IsHeadcount(string? value) => value is not null && Headcounts.Contains(value);

    /// <summary>A check constraint: the column is null or one of the values.</summary>
    public static string Check(string column, IReadOnlyList<string> values) =>
        $"{column} IS NULL OR {column} IN ({string.Join(", ", values.Select(v => $"'{v}'"))})";
}
