using System.Reflection;

namespace Comp.Api.Data.Seed;

/// <summary>
/// The taxonomy every database starts with. Seeded through EF <c>HasData</c>, so a change here
/// becomes a migration that reviewers see.
/// </summary>
public static class TaxonomySeed
{
    public static readonly Role[] Roles =
    [
        new() { Slug = "software-engineer", Title = "Software Engineer", Family = "engineering" },
        new() { Slug = "ml-engineer", Title = "Machine Learning Engineer", Family = "engineering" },
        new() { Slug = "research-scientist", Title = "Research Scientist", Family = "research" },
        new() { Slug = "research-engineer", Title = "Research Engineer", Family = "research" },
        new() { Slug = "data-scientist", Title = "Data Scientist", Family = "data" },
        new() { Slug = "data-engineer", Title = "Data Engineer", Family = "data" },
        new() { Slug = "data-analyst", Title = "Data Analyst", Family = "data" },
        new() { Slug = "engineering-manager", Title = "Engineering Manager", Family = "management" },
        new() { Slug = "product-manager", Title = "Product Manager", Family = "product" },
        new() { Slug = "designer", Title = "Product Designer", Family = "design" },
    ];

    public static readonly Level[] Levels =
    [
        new() { Code = "L1", Rank = 1, Title = "Entry" },
        new() { Code = "L2", Rank = 2, Title = "Junior" },
        new() { Code = "L3", Rank = 3, Title = "Mid-level" },
        new() { Code = "L4", Rank = 4, Title = "Senior" },
        new() { Code = "L5", Rank = 5, Title = "Staff" },
        new() { Code = "L6", Rank = 6, Title = "Senior Staff" },
        new() { Code = "L7", Rank = 7, Title = "Principal" },
        new() { Code = "L8", Rank = 8, Title = "Distinguished" },
        new() { Code = "L9", Rank = 9, Title = "Fellow" },
    ];

    private static Region[]? regions;

    /// <summary>Countries, subdivisions and metros from the embedded <c>regions.csv</c>.</summary>
    public static Region[] Regions => regions ??= LoadRegions();

    private static FxRate[]? fxRates;

    /// <summary>
    /// The seeded FX table (<c>fx_rates.csv</c>), USD per unit, each rate with its source:
    /// the rates implied by the ai-jobs.net file (salary_in_usd / salary per currency and year,
    /// 2020–2023), Federal Reserve G.5A annual averages for 2019 and G.5 monthly averages for
    /// April–June 2024.
    /// </summary>
    public static FxRate[] FxRates => fxRates ??= ReadCsv("fx_rates.csv", "currency,date,usd_per_unit,source", f => new FxRate
    {
        Currency = f[0],
        Date = DateOnly.ParseExact(f[1], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        UsdPerUnit = decimal.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture),
        Source = f[3],
    });

    private static Region[] LoadRegions() => ReadCsv("regions.csv", "code,name,parent,currency,kind", f => new Region
    {
        Code = f[0],
        Name = f[1],
        ParentCode = f[2].Length == 0 ? null : f[2],
        Currency = f[3],
        Kind = f[4],
    });

    private static T[] ReadCsv<T>(string name, string expectedHeader, Func<List<string>, T> map)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Comp.Api.Data.Seed." + name)
            ?? throw new InvalidOperationException($"The embedded {name} is missing.");
        using var reader = new StreamReader(stream);
        var header = reader.ReadLine();
        if (header != expectedHeader)
            throw new InvalidOperationException($"{name} has an unexpected header: {header}");
        var result = new List<T>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                result.Add(map(SplitCsvLine(line)));
        }
        return [.. result];
    }

    /// <summary>RFC 4180 fields of one physical line (quotes, doubled quotes); the seed files have no embedded line breaks.</summary>
    internal static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
