using Comp.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Data.DemoData;

/// <summary>
/// The AI talent market of 2024 as reported in the press, turned into datapoints whose bands
/// reproduce the public figures:
/// <list type="bullet">
/// <item>ML engineers in California earn 130k–240k USD base (Glassdoor): p10 ≈ 130k, p90 ≈ 240k.</item>
/// <item>AI researchers at Meta: 1–2M USD a year (The Information).</item>
/// <item>OpenAI: 5–10M USD a year, mostly equity (The Information).</item>
/// <item>Google DeepMind retention grants: several hundred thousand to several million a year.</item>
/// </list>
/// Vesting as commonly reported (issue 17, from Levels.fyi community threads, Blind and Pave's FAQ):
/// Google front-loaded 33/33/22/12, Meta even over four years, OpenAI's profit participation units
/// even over four years (<c>equityBasis=profit_units</c>), set as the employers' defaults; DeepMind's
/// packages carry retention grants (<c>packageType=retention</c>). Nothing else is assumed: the
/// other employers vest evenly and their equity basis is unknown.
/// Values are laid on the quantiles of the distribution each figure describes (stratified, not
/// random), so every band lands where the sources say, with enough employers to be published.
/// The generator is deterministic: the same rows on every machine.
/// </summary>
public static class DemoDataset
{
    /// <summary>The key the demo rows are recorded under. It has no usable secret and is revoked.</summary>
    public static readonly Guid KeyId = new("00000000-0000-7000-8000-00000000de70");

    public static readonly (string Slug, string Name)[] Employers =
    [
        ("google", "Google"), ("meta", "Meta"), ("apple", "Apple"), ("nvidia", "NVIDIA"), ("openai", "OpenAI"),
        ("anthropic", "Anthropic"), ("salesforce", "Salesforce"), ("intuit", "Intuit"), ("databricks", "Databricks"),
        ("uber", "Uber"), ("airbnb", "Airbnb"), ("netflix", "Netflix"), ("google-deepmind", "Google DeepMind"),
        ("microsoft", "Microsoft"), ("xai", "xAI"),
    ];

    /// <summary>
    /// Level mappings of the demo employers onto the ladder (L2 junior … L9 fellow), after the
    /// public ladders: Meta E3–E9, Google (and DeepMind) L3–L10, Microsoft 59–70, the labs' own
    /// L-levels.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> LevelMappings =
        new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["meta"] = Ladder(("E3", "L2"), ("E4", "L3"), ("E5", "L4"), ("E6", "L5"), ("E7", "L6"), ("E8", "L7"), ("E9", "L8")),
            ["google"] = Ladder(("L3", "L2"), ("L4", "L3"), ("L5", "L4"), ("L6", "L5"), ("L7", "L6"), ("L8", "L7"), ("L9", "L8"), ("L10", "L9")),
            ["google-deepmind"] = Ladder(("L3", "L2"), ("L4", "L3"), ("L5", "L4"), ("L6", "L5"), ("L7", "L6"), ("L8", "L7"), ("L9", "L8"), ("L10", "L9")),
            ["microsoft"] = Ladder(("59", "L2"), ("61", "L3"), ("63", "L4"), ("65", "L5"), ("66", "L6"), ("67", "L7"), ("68", "L8"), ("70", "L9")),
            ["openai"] = Ladder(("L2", "L2"), ("L3", "L3"), ("L4", "L4"), ("L5", "L5"), ("L6", "L6"), ("L7", "L7")),
            ["anthropic"] = Ladder(("L2", "L2"), ("L3", "L3"), ("L4", "L4"), ("L5", "L5"), ("L6", "L6"), ("L7", "L7")),
        };

    /// <summary>The employers' default equity vesting schedules, as commonly reported (see the class summary).</summary>
    public static readonly IReadOnlyDictionary<string, decimal[]> EquityVesting = new Dictionary<string, decimal[]>
    {
        ["google"] = [33m, 33m, 22m, 12m],
        ["meta"] = [25m, 25m, 25m, 25m],
        ["openai"] = [25m, 25m, 25m, 25m],
    };

    /// <summary>
    /// The demo employers' attributes (industry, stage, headcount band, headquarters region) as
    /// publicly reported; null where the lists have no obvious value (Uber, Airbnb and Netflix fit
    /// no seeded industry; Google DeepMind is a unit of a listed company, not a company with a stage
    /// of its own; xAI's headcount and stage are not reliably reported).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string? Industry, string? Stage, string? Headcount, string? Hq)> Attributes =
        new Dictionary<string, (string?, string?, string?, string?)>
        {
            ["google"] = ("big-tech", "public", "20001-plus", "us-ca-sf-bay-area"),
            ["meta"] = ("big-tech", "public", "20001-plus", "us-ca-sf-bay-area"),
            ["apple"] = ("big-tech", "public", "20001-plus", "us-ca-sf-bay-area"),
            ["microsoft"] = ("big-tech", "public", "20001-plus", "us-wa-seattle"),
            ["nvidia"] = ("hardware", "public", "20001-plus", "us-ca-sf-bay-area"),
            ["openai"] = ("ai-lab", "private-late", "1001-5000", "us-ca-sf-bay-area"),
            ["anthropic"] = ("ai-lab", "private-late", "1001-5000", "us-ca-sf-bay-area"),
            ["google-deepmind"] = ("ai-lab", null, "5001-20000", "gb-eng-london"),
            ["xai"] = ("ai-lab", null, null, "us-ca-sf-bay-area"),
            ["salesforce"] = ("saas", "public", "20001-plus", "us-ca-sf-bay-area"),
            ["databricks"] = ("saas", "private-late", "5001-20000", "us-ca-sf-bay-area"),
            ["intuit"] = ("fintech", "public", "5001-20000", "us-ca-sf-bay-area"),
            ["uber"] = (null, "public", "20001-plus", "us-ca-sf-bay-area"),
            ["airbnb"] = (null, "public", "5001-20000", "us-ca-sf-bay-area"),
            ["netflix"] = (null, "public", "5001-20000", "us-ca-sf-bay-area"),
        };

    private static IReadOnlyDictionary<string, string> Ladder(params (string Name, string Level)[] entries) =>
        entries.ToDictionary(e => e.Name, e => e.Level);

    private const string Glassdoor = "Glassdoor, as reported in the French press on 6 April 2024: ML engineers in California 130k-240k USD a year";
    private const string TheInformation = "The Information, as reported in the French press on 6 April 2024";

    /// <summary>A datapoint before it has an employer id: the employer's slug stands in.</summary>
    public sealed record Row(string Employer, Datapoint Datapoint);

    public static IReadOnlyList<Row> Rows()
    {
        var rows = new List<Row>();
        MlEngineersInCalifornia(rows);
        ResearchScientists(rows);
        MetaResearchHireInParis(rows);
        // Rows of employers with a mapping carry the employer's own level name, and their ladder
        // level comes from the mapping, as it would through the API; equity vests by the employer's
        // default, as it would through the API too.
        foreach (var row in rows)
        {
            VestingDefaults.Apply(row.Datapoint, new EmployerVesting(EquityVesting.GetValueOrDefault(row.Employer), null));
            if (row.Employer == "openai")
                row.Datapoint.EquityBasis = "profit_units";
            if (row.Datapoint.Level is { } level && LevelMappings.TryGetValue(row.Employer, out var mapping)
                && mapping.FirstOrDefault(m => m.Value == level).Key is { } name)
            {
                row.Datapoint.EmployerLevel = name;
                row.Datapoint.LevelMapped = true;
            }
        }
        return rows;
    }

    // "Michal Valko, an engineer who started at Meta in Paris in March" (French press, 6 April 2024): a research
    // hire paid in euros, within The Information's 1–2M USD range for Meta's AI researchers.
    private static void MetaResearchHireInParis(List<Row> rows) =>
        rows.Add(new Row("meta", new Datapoint
        {
            Role = "research-scientist",
            Level = "L6",
            Region = "fr-idf-paris",
            Currency = "EUR",
            EffectiveDate = new DateOnly(2024, 4, 1),
            BaseSalary = 300_000m,
            TargetBonus = 45_000m,
            EquityGrant = 3_200_000m,
            EquityVestingYears = 4,
            RetentionVestingYears = 4,
            YearsOfExperience = 12m,
            Source = "press_report",
            SourceNote = "French press report of 6 April 2024 (Meta AI research hire in Paris); amount modelled on The Information's 1-2M USD a year for Meta AI researchers",
        }));

    // 240 ML engineers over 12 employers (20 each, 8% apiece), base log-normal with p10 = 130k, p90 = 240k.
    private static void MlEngineersInCalifornia(List<Row> rows)
    {
        string[] employers = ["google", "meta", "apple", "nvidia", "openai", "anthropic", "salesforce", "intuit", "databricks", "uber", "airbnb", "netflix"];
        string[] regions = ["us-ca-sf-bay-area", "us-ca-sf-bay-area", "us-ca-sf-bay-area", "us-ca-los-angeles", "us-ca-san-diego", "us-ca"];
        const int n = 240;
        var median = Math.Sqrt(130_000.0 * 240_000.0);
        var sigma = Math.Log(240_000.0 / 130_000.0) / (2 * Normal.InverseCdf(0.9));
        for (var i = 0; i < n; i++)
        {
            var baseSalary = RoundTo(median * Math.Exp(sigma * Normal.InverseCdf((i + 0.5) / n)), 100);
            var level = i < n * 0.2 ? "L2" : i < n * 0.55 ? "L3" : i < n * 0.85 ? "L4" : "L5";
            rows.Add(new Row(employers[(i * 7) % employers.Length], new Datapoint
            {
                Role = "ml-engineer",
                Level = level,
                Region = regions[(i * 5) % regions.Length],
                Currency = "USD",
                EffectiveDate = DateIn2024(i),
                BaseSalary = baseSalary,
                TargetBonus = RoundTo((double)baseSalary * (0.10 + 0.05 * (i % 3) / 2), 100),
                EquityGrant = RoundTo((double)baseSalary * (0.8 + 0.4 * (i % 5) / 4) * 4 / 4, 1000),
                EquityVestingYears = 4,
                RetentionVestingYears = 4,
                SignOnBonus = i % 4 == 0 ? RoundTo((double)baseSalary * 0.1, 1000) : null,
                YearsOfExperience = 1 + (i * 11 % 120) / 10m,
                Source = "aggregator",
                SourceNote = Glassdoor,
            }));
        }
    }

    // Research scientists at frontier labs; total pay per year drawn log-uniformly across each
    // reported range. Seven employers, none above 25% of the cross-employer cell.
    private static void ResearchScientists(List<Row> rows)
    {
        // Meta: 1–2M a year, a third of it base and bonus, the rest equity.
        Research(rows, "meta", 30, 1_050_000, 1_950_000, ["us-ca-sf-bay-area", "us-ny-new-york", "us-wa-seattle"], retention: null);
        // OpenAI: 5–10M a year, mostly equity (profit participation units).
        Research(rows, "openai", 30, 5_200_000, 9_700_000, ["us-ca-sf-bay-area"], retention: null);
        // Google DeepMind: pay plus retention grants of several hundred thousand to several million a year.
        Research(rows, "google-deepmind", 30, 1_000_000, 2_500_000, ["us-ca-sf-bay-area", "us-ca"], retention: (300_000, 4_000_000));
        Research(rows, "anthropic", 15, 900_000, 3_000_000, ["us-ca-sf-bay-area"], retention: null);
        Research(rows, "microsoft", 15, 700_000, 1_600_000, ["us-wa-seattle", "us-ca-sf-bay-area"], retention: null);
        Research(rows, "xai", 15, 1_000_000, 4_000_000, ["us-ca-sf-bay-area"], retention: null);
        Research(rows, "nvidia", 15, 600_000, 1_500_000, ["us-ca-sf-bay-area"], retention: null);
    }

    private static void Research(List<Row> rows, string employer, int n, double low, double high, string[] regions, (double Low, double High)? retention)
    {
        for (var i = 0; i < n; i++)
        {
            var share = (i + 0.5) / n;
            var total = low * Math.Pow(high / low, share);
            var baseSalary = RoundTo(240_000 + 160_000 * ((i * 7) % n) / (double)n, 1000);
            var bonus = RoundTo((double)baseSalary * 0.15, 1000);
            var equityPerYear = total - (double)baseSalary - (double)bonus;
            decimal? retentionGrant = null;
            if (retention is { } r)
            {
                // Retention is on top of the package, spread log-uniformly and shuffled against it.
                var retentionShare = ((i * 11) % n + 0.5) / n;
                retentionGrant = RoundTo(r.Low * Math.Pow(r.High / r.Low, retentionShare) * 4, 1000);
            }
            rows.Add(new Row(employer, new Datapoint
            {
                // A package with a retention grant on top is a retention package.
                PackageType = retentionGrant is null ? PackageTypes.Default : "retention",
                Role = "research-scientist",
                Level = i < n / 3 ? "L5" : i < 2 * n / 3 ? "L6" : "L7",
                Region = regions[i % regions.Length],
                Currency = "USD",
                EffectiveDate = DateIn2024(i * 3 + employer.Length),
                BaseSalary = baseSalary,
                TargetBonus = bonus,
                EquityGrant = RoundTo(equityPerYear * 4, 1000),
                EquityVestingYears = 4,
                RetentionGrant = retentionGrant,
                RetentionVestingYears = 4,
                YearsOfExperience = 4 + (i * 13 % 160) / 10m,
                Source = "press_report",
                SourceNote = TheInformation,
            }));
        }
    }

    private static DateOnly DateIn2024(int i) => new DateOnly(2024, 1, 1).AddDays((i * 37) % 182);

    private static decimal RoundTo(double value, int unit) => (decimal)(Math.Round(value / unit) * unit);

    /// <summary>Loads the demo rows unless they are already there. Returns how many were added.</summary>
    /// <summary>The demo employers' vesting defaults and attributes, each only where none is set (an admin's PUT or PATCH wins).</summary>
    private static async Task DescribeEmployersAsync(CompDbContext db, IReadOnlyDictionary<string, int> employerIds, CancellationToken cancellationToken)
    {
        foreach (var (employer, schedule) in EquityVesting.Where(v => employerIds.ContainsKey(v.Key)))
            await db.Employers.Where(e => e.Id == employerIds[employer] && e.EquityVestingDefault == null)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.EquityVestingDefault, schedule), cancellationToken);
        foreach (var (employer, (industry, stage, headcount, hq)) in Attributes.Where(a => employerIds.ContainsKey(a.Key)))
            await db.Employers.Where(e => e.Id == employerIds[employer] && e.Industry == null && e.Stage == null && e.Headcount == null && e.Hq == null)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Industry, industry).SetProperty(e => e.Stage, stage)
                    .SetProperty(e => e.Headcount, headcount).SetProperty(e => e.Hq, hq), cancellationToken);
    }

    public static async Task<int> LoadAsync(CompDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Datapoints.AnyAsync(d => d.ApiKeyId == KeyId, cancellationToken))
        {
            // Loaded by an earlier version: the demo employers still get what it lacked (vesting defaults, attributes),
            // each only where nothing is set, and their stored datapoints follow the defaults as after a PUT.
            var known = await db.Employers.Where(e => Employers.Select(x => x.Slug).Contains(e.Slug)).ToDictionaryAsync(e => e.Slug, e => e.Id, cancellationToken);
            await DescribeEmployersAsync(db, known, cancellationToken);
            foreach (var employer in EquityVesting.Keys.Where(known.ContainsKey))
                await VestingDefaults.ReapplyAsync(db, known[employer], cancellationToken);
            return 0;
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, revoked_at)
            VALUES ({KeyId}, 'demo-loader', ARRAY['ingest'], {System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)}, now(), now())
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken);
        var employerIds = (await EmployerStore.EnsureEmployersAsync(db, Employers.Select(e => (e.Slug, (string?)e.Name)), cancellationToken))
            .ToDictionary(e => e.Key, e => e.Value.Id);
        await DescribeEmployersAsync(db, employerIds, cancellationToken);
        foreach (var (employer, mapping) in LevelMappings)
        {
            if (!await db.EmployerLevels.AnyAsync(l => l.EmployerId == employerIds[employer], cancellationToken))
                db.EmployerLevels.AddRange(mapping.Select(m => new EmployerLevel { EmployerId = employerIds[employer], Name = m.Key, Level = m.Value }));
        }
        var rows = Rows();
        foreach (var row in rows)
        {
            row.Datapoint.Id = Guid.CreateVersion7();
            row.Datapoint.EmployerId = employerIds[row.Employer];
            row.Datapoint.ApiKeyId = KeyId;
            row.Datapoint.CreatedAt = DateTimeOffset.UtcNow;
        }
        db.Datapoints.AddRange(rows.Select(r => r.Datapoint));
        await db.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }
}
