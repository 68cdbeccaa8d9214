using System.Globalization;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// Property test: for random filter combinations over a random dataset, every cell the API
/// returns equals <c>percentile_cont</c> run directly in PostgreSQL on the same rows (within
/// 0.01), and is suppressed exactly when the SPEC §2 rules, recomputed here in SQL, say so.
/// The reference query is written independently of the API's: region roll-ups by code prefix,
/// FX by a per-row "latest rate on or before, else earliest" lookup, aging by the SPEC formula,
/// year1-year4 from the stored schedules by the SPEC formula, employer rules from a GROUP BY,
/// percentiles by <c>percentile_cont</c> itself, counts per equity basis from the cell's rows,
/// employer attributes (industry, stage, headcount) from a join on the employers' own columns,
/// <c>excludeEmployer</c> as a <c>NOT IN</c> on the slug.
/// </summary>
public sealed class BandsMatchPercentileContTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly string[] Employers = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"];
    private static readonly string[] Roles = ["ml-engineer", "software-engineer", "research-scientist"];
    private static readonly string[] Regions = ["us-ca", "us-ca-sf-bay-area", "us-ca-los-angeles", "us-ny", "us-ny-new-york", "us-wa-seattle", "ca-on", "ca-on-toronto"];
    private static readonly string?[] Levels = ["L2", "L3", "L4", "L5", "L6", null];
    private static readonly string[] Sources = ["self_reported", "offer_letter", "aggregator"];
    private static readonly string[] Components = ["base", "bonus", "equity", "retention", "signon", "total", "year1", "year2", "year3", "year4", "year2", "year3", "year4"];
    private static readonly string[] GroupKeys = ["employer", "role", "level", "region", "equityBasis", "packageType", "industry", "stage", "headcount"];

    /// <summary>The employers' attributes (null: not set); <c>hardware</c> and <c>nonprofit</c> match no employer.</summary>
    internal static readonly Dictionary<string, (string? Industry, string? Stage, string? Headcount)> Attributes = new()
    {
        ["alpha"] = ("ai-lab", "private-late", "1001-5000"),
        ["beta"] = ("big-tech", "public", "20001-plus"),
        ["gamma"] = ("ai-lab", "private-growth", "201-1000"),
        ["delta"] = ("big-tech", "public", "20001-plus"),
        ["epsilon"] = ("saas", "public", "5001-20000"),
        ["zeta"] = ("fintech", "private-late", "1001-5000"),
        ["eta"] = ("ai-lab", null, "201-1000"),
        ["theta"] = (null, "public", null),
    };
    private static readonly string[] Industries = ["ai-lab", "big-tech", "saas", "fintech", "hardware"];
    private static readonly string[] Stages = ["public", "private-late", "private-growth", "nonprofit"];
    private static readonly string[] Headcounts = ["1001-5000", "20001-plus", "201-1000", "5001-20000"];

    /// <summary>Sets <see cref="Attributes"/> on the employers through the API (iota keeps none).</summary>
    internal static async Task SetAttributesAsync(CompApiFactory factory)
    {
        var admin = factory.CreateAdminClient();
        foreach (var (slug, (industry, stage, headcount)) in Attributes)
        {
            var response = await admin.PatchAsync($"/v1/employers/{slug}", System.Net.Http.Json.JsonContent.Create(new { industry, stage, headcount }));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static string OneOrTwo(Random random, string[] values) =>
        random.NextDouble() < 0.6 ? values[random.Next(values.Length)] : $"{values[random.Next(2)]},{values[2 + random.Next(values.Length - 2)]}";
    private static readonly string?[] Bases = ["public_rsu", "private_rsu_preferred", "private_rsu_409a", "options_spread", "profit_units", "cash_lti", null, null, null];
    private static readonly string[] PackageTypes = ["new_hire", "new_hire", "new_hire", "current", "retention", "promotion", "acquisition"];

    /// <summary>
    /// A schedule of <paramref name="years"/> entries summing to 100: one that employers use, or
    /// random with up to two decimals (the last one makes the sum exact), zeros included.
    /// </summary>
    private static decimal[] Schedule(Random random, int years)
    {
        if (years == 4 && random.NextDouble() < 0.4)
            return random.NextDouble() < 0.5 ? [5m, 15m, 40m, 40m] : [33m, 33m, 22m, 12m];
        var weights = Enumerable.Range(0, years).Select(_ => random.NextDouble() < 0.15 ? 0 : random.NextDouble()).ToArray();
        if (weights.Sum() == 0)
            weights[^1] = 1;
        var schedule = weights.Select(w => Math.Round((decimal)(w / weights.Sum() * 100), 2)).ToArray();
        var rest = 100m - schedule[..^1].Sum();
        if (rest < 0)
            return Enumerable.Repeat(Math.Round(100m / years, 2), years - 1).Append(100m - Math.Round(100m / years, 2) * (years - 1)).ToArray();
        schedule[^1] = rest;
        return schedule;
    }

    internal static List<SeedRow> RandomRows(Random random, int count)
    {
        var rows = new List<SeedRow>(count);
        for (var i = 0; i < count; i++)
        {
            // Skewed employer sizes so both dominance and small cells occur.
            var employer = Employers[(int)Math.Floor(Math.Pow(random.NextDouble(), 1.6) * Employers.Length)];
            var pay = Math.Round(60_000 * Math.Exp(random.NextDouble() * 1.6), 2);
            decimal? Maybe(double chance, double amount) => random.NextDouble() < chance ? (decimal)Math.Round(amount, 2) : null;
            var equityYears = 1 + random.Next(6);
            var retentionYears = 1 + random.Next(4);
            var equitySchedule = random.NextDouble() < 0.35 ? Schedule(random, equityYears) : null;
            var retentionSchedule = random.NextDouble() < 0.25 ? Schedule(random, retentionYears) : null;
            rows.Add(new SeedRow(
                employer,
                Roles[random.Next(Roles.Length)],
                Levels[random.Next(Levels.Length)],
                Regions[random.Next(Regions.Length)],
                random.NextDouble() switch { < 0.8 => "USD", < 0.9 => "CAD", < 0.97 => "EUR", _ => "NGN" }, // NGN has no FX rate
                new DateOnly(2022, 1, 1).AddDays(random.Next(3 * 365)),
                (decimal)pay,
                TargetBonus: Maybe(0.7, pay * random.NextDouble() * 0.3),
                SignOnBonus: Maybe(0.3, 5_000 + random.Next(50_000)),
                EquityGrant: Maybe(0.6, pay * random.NextDouble() * 4),
                EquityVestingYears: equityYears,
                RetentionGrant: Maybe(0.3, pay * random.NextDouble() * 2),
                RetentionVestingYears: retentionYears,
                Source: Sources[random.Next(Sources.Length)],
                Verified: random.NextDouble() < 0.3,
                EquityVestingSchedule: equitySchedule,
                RetentionVestingSchedule: retentionSchedule,
                EquityBasis: Bases[random.Next(Bases.Length)],
                PackageType: PackageTypes[random.Next(PackageTypes.Length)]));
        }
        // A block of ties, so equal values and the min/max rule are exercised.
        rows.AddRange(Enumerable.Range(0, 30).Select(i => rows[i] with { BaseSalary = 150_000m, Employer = Employers[i % 6] }));
        return rows;
    }

    internal sealed record Cut(Dictionary<string, string> Parameters)
    {
        public string QueryString => string.Join("&", Parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    internal static Cut RandomCut(Random random)
    {
        var p = new Dictionary<string, string>();
        if (random.NextDouble() < 0.25) p["employer"] = random.NextDouble() < 0.7 ? Employers[random.Next(4)] : $"{Employers[random.Next(4)]},{Employers[4 + random.Next(4)]}";
        if (random.NextDouble() < 0.5) p["role"] = Roles[random.Next(Roles.Length)];
        if (random.NextDouble() < 0.3) p["level"] = Levels[random.Next(Levels.Length - 1)]!;
        if (random.NextDouble() < 0.5) p["region"] = new[] { "us", "us-ca", "us-ny", "ca", "us-ca-sf-bay-area", "ca-on" }[random.Next(6)];
        if (random.NextDouble() < 0.3) p["from"] = new DateOnly(2022, 1, 1).AddDays(random.Next(700)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (random.NextDouble() < 0.3) p["to"] = new DateOnly(2023, 6, 1).AddDays(random.Next(500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (p.TryGetValue("from", out var f) && p.TryGetValue("to", out var t) && string.CompareOrdinal(f, t) > 0) p.Remove("to");
        if (random.NextDouble() < 0.2) p["source"] = Sources[random.Next(Sources.Length)];
        if (random.NextDouble() < 0.2) p["verified"] = random.NextDouble() < 0.5 ? "true" : "false";
        if (random.NextDouble() < 0.2) p["equityBasis"] = random.NextDouble() < 0.6 ? Bases[random.Next(6)]! : $"{Bases[random.Next(3)]},{Bases[3 + random.Next(3)]}";
        if (random.NextDouble() < 0.2) p["packageType"] = random.NextDouble() < 0.6 ? PackageTypes[random.Next(PackageTypes.Length)] : "current,retention";
        if (random.NextDouble() < 0.15) p["excludeEmployer"] = random.NextDouble() < 0.7 ? Employers[random.Next(6)] : $"{Employers[random.Next(3)]},{Employers[3 + random.Next(3)]}";
        if (random.NextDouble() < 0.15) p["industry"] = OneOrTwo(random, Industries);
        if (random.NextDouble() < 0.15) p["stage"] = OneOrTwo(random, Stages);
        if (random.NextDouble() < 0.15) p["headcount"] = OneOrTwo(random, Headcounts);
        p["component"] = Components[random.Next(Components.Length)];
        if (random.NextDouble() < 0.2) p["currency"] = random.NextDouble() < 0.5 ? "CAD" : "EUR";
        if (random.NextDouble() < 0.2) p["agedTo"] = new DateOnly(2024, 1, 1).AddDays(random.Next(600)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        p["percentiles"] = "1,5,10,25,37,50,63,75,90,95,99";
        if (random.NextDouble() < 0.5)
        {
            var keys = GroupKeys.OrderBy(_ => random.Next()).Take(1 + random.Next(2));
            p["groupBy"] = string.Join(",", keys);
        }
        return new Cut(p);
    }

    /// <summary>Both band stores: the in-memory index (the default) and PostgreSQL (<c>BandIndex:Enabled=false</c>).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Random_cuts_equal_percentile_cont_and_follow_the_disclosure_rules(bool bandIndex)
    {
        var random = new Random(20240406);
        await Factory.InsertAsync(RandomRows(random, 2_500));
        await SetAttributesAsync(Factory);
        await using var sqlOnly = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false"));
        var client = bandIndex ? Factory.CreateExactClient() : sqlOnly.CreateExactClient();
        await using var connection = await Factory.OpenAsync();

        var checkedCells = 0;
        var checkedBases = 0;
        var publishedFigures = 0;
        var suppressedCells = 0;
        for (var q = 0; q < 120; q++)
        {
            var cut = RandomCut(random);
            var response = await client.GetAsync("/v1/bands?" + cut.QueryString);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{cut.QueryString}: {body}");
            Assert.Equal(bandIndex ? "memory" : "primary", response.Headers.GetValues("X-Comp-Read-From").Single());
            var cells = JsonDocument.Parse(body).RootElement.GetProperty("cells").EnumerateArray().ToList();
            var expected = await ReferenceAsync(connection, cut.Parameters);

            var groupBy = cut.Parameters.GetValueOrDefault("groupBy")?.Split(',') ?? [];
            if (groupBy.Length == 0 && expected.Count == 0)
                expected.Add(new ReferenceCell([], 0, 0, 0, [], double.NaN, double.NaN));
            Assert.True(expected.Count == cells.Count, $"{cut.QueryString}: {cells.Count} cells, percentile_cont has {expected.Count}");

            var spansEmployers = !groupBy.Contains("employer") && !(cut.Parameters.TryGetValue("employer", out var e) && !e.Contains(','));
            var percentiles = cut.Parameters["percentiles"].Split(',').Select(int.Parse).ToArray();
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = cells[i];
                var reference = expected[i];
                var context = $"{cut.QueryString}, cell {i} ({string.Join("/", reference.Group)})";
                for (var g = 0; g < groupBy.Length; g++)
                {
                    var value = cell.GetProperty("group").GetProperty(groupBy[g]);
                    Assert.True(reference.Group[g] == (value.ValueKind == JsonValueKind.Null ? null : value.GetString()), context);
                }

                var shouldSuppress = reference.N < 5 || (spansEmployers && (reference.Employers < 5 || reference.LargestEmployer * 4 > reference.N));
                Assert.True(shouldSuppress == cell.GetProperty("suppressed").GetBoolean(), $"{context}: n={reference.N}, employers={reference.Employers}, largest={reference.LargestEmployer}");
                checkedCells++;
                if (shouldSuppress)
                {
                    suppressedCells++;
                    Assert.Equal(JsonValueKind.Null, cell.GetProperty("n").ValueKind);
                    Assert.Equal(JsonValueKind.Null, cell.GetProperty("percentiles").ValueKind);
                    continue;
                }
                Assert.Equal(reference.N, cell.GetProperty("n").GetInt32());
                Assert.Equal(reference.Employers, cell.GetProperty("employers").GetInt32());
                var bases = cell.TryGetProperty("equityBases", out var given) ? string.Join(",", given.EnumerateObject().Select(e => $"{e.Name}={(e.Value.ValueKind == JsonValueKind.Null ? "" : e.Value.GetInt32().ToString(CultureInfo.InvariantCulture))}")) : null;
                Assert.True(ExpectedBases(reference, cut.Parameters) == bases, $"{context}: equityBases {bases}, expected {ExpectedBases(reference, cut.Parameters)}");
                if (bases is not null)
                    checkedBases++;
                publishedFigures += CheckPercentiles(cell, reference, percentiles, context);
            }
        }
        // The random cuts must have exercised both sides of the rules, or the test proves little.
        Assert.True(publishedFigures > 500, $"only {publishedFigures} published figures checked");
        Assert.True(suppressedCells > 20, $"only {suppressedCells} suppressed cells of {checkedCells}");
        Assert.True(checkedBases > 50, $"only {checkedBases} cells with counts per basis");
    }

    /// <summary>
    /// <c>weighting=company</c>: the same random cuts, against a reference that takes each
    /// employer's <c>percentile_cont(0.5)</c> in the cell, then <c>percentile_cont</c> over those
    /// medians per cell. A cell's n and employers are its employer count; it is suppressed below 5
    /// of them (the datapoint minimum and the employer minimum are both 5), whatever the cut, with
    /// no share rule. (Counts per equity basis are datapoint counts, checked by the test above.)
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Random_company_weighted_cuts_equal_percentile_cont_over_employer_medians(bool bandIndex)
    {
        var random = new Random(20240418);
        await Factory.InsertAsync(RandomRows(random, 2_500));
        await SetAttributesAsync(Factory);
        await using var sqlOnly = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false"));
        var client = bandIndex ? Factory.CreateExactClient() : sqlOnly.CreateExactClient();
        await using var connection = await Factory.OpenAsync();

        var publishedFigures = 0;
        var publishedCells = 0;
        var suppressedCells = 0;
        for (var q = 0; q < 80; q++)
        {
            var cut = RandomCut(random);
            cut.Parameters["weighting"] = "company";
            var response = await client.GetAsync("/v1/bands?" + cut.QueryString);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{cut.QueryString}: {body}");
            var cells = JsonDocument.Parse(body).RootElement.GetProperty("cells").EnumerateArray().ToList();
            var expected = await ReferenceAsync(connection, cut.Parameters, company: true);
            var groupBy = cut.Parameters.GetValueOrDefault("groupBy")?.Split(',') ?? [];
            if (groupBy.Length == 0 && expected.Count == 0)
                expected.Add(new ReferenceCell([], 0, 0, 0, [], double.NaN, double.NaN));
            Assert.True(expected.Count == cells.Count, $"{cut.QueryString}: {cells.Count} cells, percentile_cont has {expected.Count}");

            var percentiles = cut.Parameters["percentiles"].Split(',').Select(int.Parse).ToArray();
            for (var i = 0; i < cells.Count; i++)
            {
                var (cell, reference) = (cells[i], expected[i]);
                var context = $"{cut.QueryString}, cell {i} ({string.Join("/", reference.Group)})";
                for (var g = 0; g < groupBy.Length; g++)
                {
                    var value = cell.GetProperty("group").GetProperty(groupBy[g]);
                    Assert.True(reference.Group[g] == (value.ValueKind == JsonValueKind.Null ? null : value.GetString()), context);
                }
                Assert.Equal(reference.N, reference.Employers);
                var shouldSuppress = reference.N < 5;
                Assert.True(shouldSuppress == cell.GetProperty("suppressed").GetBoolean(), $"{context}: {reference.N} employers");
                if (shouldSuppress)
                {
                    suppressedCells++;
                    Assert.Equal(JsonValueKind.Null, cell.GetProperty("n").ValueKind);
                    continue;
                }
                publishedCells++;
                Assert.Equal(reference.N, cell.GetProperty("n").GetInt32());
                Assert.Equal(reference.N, cell.GetProperty("employers").GetInt32());
                publishedFigures += CheckPercentiles(cell, reference, percentiles, context);
            }
        }
        Assert.True(publishedFigures > 150, $"only {publishedFigures} published figures checked");
        Assert.True(publishedCells > 20 && suppressedCells > 20, $"{publishedCells} published and {suppressedCells} suppressed cells");
    }

    /// <summary>
    /// Checks a published cell's percentiles against the reference's: null where the cell is too
    /// small for them or they round to its smallest or largest value, else within 0.01. Returns how many were published.
    /// </summary>
    private static int CheckPercentiles(JsonElement cell, ReferenceCell reference, int[] percentiles, string context)
    {
        var published = 0;
        for (var k = 0; k < percentiles.Length; k++)
        {
            var pk = percentiles[k];
            var figure = cell.GetProperty("percentiles").GetProperty($"p{pk}");
            var allowed = pk is < 10 or > 90 ? reference.N >= 20 : pk is < 25 or > 75 ? reference.N >= 10 : true;
            var value = reference.Percentiles[k];
            if (!allowed || Cents(value) == Cents(reference.Min) || Cents(value) == Cents(reference.Max))
            {
                Assert.True(figure.ValueKind == JsonValueKind.Null, $"{context}: p{pk} should be withheld");
                continue;
            }
            Assert.True(Math.Abs((double)figure.GetDecimal() - value) <= 0.01, $"{context}: p{pk} = {figure} but percentile_cont gives {value}");
            published++;
        }
        return published;
    }

    private static decimal Cents(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    private sealed record ReferenceCell(string?[] Group, int N, int Employers, int LargestEmployer, double[] Percentiles, double Min, double Max)
    {
        /// <summary>The cell's datapoints per equity basis (unknown for none).</summary>
        public Dictionary<string, int> Bases { get; init; } = [];
    }

    /// <summary>
    /// The counts per basis a published exact cell shows when it may mix bases (no single-basis
    /// filter, not grouped by basis) and holds two or more: in SPEC §1 order with unknown last, a
    /// count below 5 null, and when that makes exactly one null the smallest other too.
    /// </summary>
    private static string? ExpectedBases(ReferenceCell reference, Dictionary<string, string> p)
    {
        var pinned = p.TryGetValue("equityBasis", out var b) && !b.Contains(',') || (p.GetValueOrDefault("groupBy")?.Split(',').Contains("equityBasis") ?? false);
        if (pinned || reference.Bases.Count < 2)
            return null;
        var order = new[] { "public_rsu", "private_rsu_preferred", "private_rsu_409a", "options_spread", "profit_units", "cash_lti", "unknown" };
        var counts = order.Where(reference.Bases.ContainsKey).Select(name => (name, Count: reference.Bases[name] >= 5 ? reference.Bases[name] : (int?)null)).ToList();
        if (counts.Count(c => c.Count is null) == 1)
        {
            var smallest = counts.Where(c => c.Count is not null).MinBy(c => c.Count)!;
            counts[counts.IndexOf(smallest)] = (smallest.name, null);
        }
        return string.Join(",", counts.Select(c => $"{c.name}={c.Count}"));
    }

    private static readonly Dictionary<string, string> ComponentSql = new()
    {
        ["base"] = "base_salary",
        ["bonus"] = "target_bonus",
        ["equity"] = "equity_grant / equity_vesting_years",
        ["retention"] = "retention_grant / retention_vesting_years",
        ["signon"] = "sign_on_bonus",
        ["total"] = "base_salary + coalesce(target_bonus, 0) + coalesce(equity_grant, 0) / equity_vesting_years + coalesce(retention_grant, 0) / retention_vesting_years",
        ["year1"] = Year(1),
        ["year2"] = Year(2),
        ["year3"] = Year(3),
        ["year4"] = Year(4),
    };

    /// <summary>
    /// yearK as SPEC §1 words it, in float8 in the order the API sums: base + bonus + each grant's
    /// annual value × its share of year K (+ sign-on in year 1). A share is years × s[K] / 100 for a
    /// schedule (s[K] is NULL past its end: 0), and 1 for each year of even vesting.
    /// </summary>
    internal static string Year(int k)
    {
        static string Share(string grant, int k) =>
            $"(CASE WHEN {grant}_vesting_schedule IS NULL THEN CASE WHEN {k} <= {grant}_vesting_years THEN 1.0::float8 ELSE 0.0::float8 END " +
            $"ELSE coalesce({grant}_vesting_years * {grant}_vesting_schedule[{k}]::float8 / 100, 0.0::float8) END)";
        return "base_salary::float8 + coalesce(target_bonus::float8, 0) " +
            $"+ coalesce(equity_grant::float8 / equity_vesting_years, 0) * {Share("equity", k)} " +
            $"+ coalesce(retention_grant::float8 / retention_vesting_years, 0) * {Share("retention", k)}" +
            (k == 1 ? " + coalesce(sign_on_bonus::float8, 0)" : "");
    }

    /// <param name="company">Company weighting: the cells' values are each employer's <c>percentile_cont(0.5)</c> within the cell.</param>
    private static async Task<List<ReferenceCell>> ReferenceAsync(NpgsqlConnection connection, Dictionary<string, string> p, bool company = false)
    {
        static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
        static string In(string column, string list) => $"{column} IN ({string.Join(",", list.Split(',').Select(Quote))})";

        // FX as SPEC §3 words it: the latest rate on or before the effective date, else the earliest; USD is 1; no rate, no value.
        static string Rate(string currency) =>
            $"(CASE WHEN {currency} = 'USD' THEN 1.0::float8 ELSE coalesce(" +
            $"(SELECT usd_per_unit::float8 FROM fx_rates r WHERE r.currency = {currency} AND r.date <= d.effective_date ORDER BY r.date DESC LIMIT 1), " +
            $"(SELECT usd_per_unit::float8 FROM fx_rates r WHERE r.currency = {currency} ORDER BY r.date LIMIT 1)) END)";
        var target = Quote(p.GetValueOrDefault("currency", "USD"));
        var value = $"(({ComponentSql[p["component"]]})::float8 * CASE WHEN d.currency = {target} THEN 1.0::float8 ELSE {Rate("d.currency")} / {Rate(target)} END)";
        if (p.TryGetValue("agedTo", out var agedTo))
            value = $"({value} * power(1.03::float8, (DATE {Quote(agedTo)} - d.effective_date) / 365.25::float8))";
        var where = new List<string> { $"({ComponentSql[p["component"]]}) IS NOT NULL", $"{value} IS NOT NULL" };
        if (p.TryGetValue("employer", out var employer)) where.Add(In("e.slug", employer));
        if (p.TryGetValue("role", out var role)) where.Add(In("role", role));
        if (p.TryGetValue("level", out var level)) where.Add(In("level", level));
        if (p.TryGetValue("region", out var region)) where.Add($"(region = {Quote(region)} OR region LIKE {Quote(region + "-%")})");
        if (p.TryGetValue("from", out var from)) where.Add($"effective_date >= DATE {Quote(from)}");
        if (p.TryGetValue("to", out var to)) where.Add($"effective_date <= DATE {Quote(to)}");
        if (p.TryGetValue("source", out var source)) where.Add(In("source", source));
        if (p.TryGetValue("verified", out var verified)) where.Add($"verified = {verified}");
        if (p.TryGetValue("equityBasis", out var basis)) where.Add(In("equity_basis", basis));
        if (p.TryGetValue("packageType", out var packageType)) where.Add(In("package_type", packageType));
        if (p.TryGetValue("excludeEmployer", out var excluded)) where.Add("NOT " + In("e.slug", excluded));
        if (p.TryGetValue("industry", out var industry)) where.Add(In("e.industry", industry));
        if (p.TryGetValue("stage", out var stage)) where.Add(In("e.stage", stage));
        if (p.TryGetValue("headcount", out var headcount)) where.Add(In("e.headcount", headcount));

        var groups = p.GetValueOrDefault("groupBy")?.Split(',') ?? [];
        var groupList = string.Join(", ", groups);
        var fractions = string.Join(",", p["percentiles"].Split(',').Select(x => (int.Parse(x) / 100.0).ToString(CultureInfo.InvariantCulture)));
        var byGroup = groups.Length > 0 ? groupList + "," : "";
        // The rows the cells are made of: the datapoints, or (company) one median per employer and cell.
        var rowsOf = company
            ? $"(SELECT {byGroup} owner, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS v FROM (SELECT *, employer AS owner FROM f) x GROUP BY {byGroup} owner) m"
            : "(SELECT *, employer AS owner FROM f) m";
        var sql = $"""
            WITH f AS (
                SELECT e.slug AS employer, d.role, d.level, d.region, d.equity_basis AS equityBasis, d.package_type AS packageType,
                       e.industry::text AS industry, e.stage::text AS stage, e.headcount::text AS headcount, {value} AS v
                FROM datapoints d JOIN employers e ON e.id = d.employer_id
                WHERE {string.Join(" AND ", where)}
            ),
            largest AS (
                SELECT {byGroup} max(c) AS largest
                FROM (SELECT {byGroup} owner, count(*) AS c FROM {rowsOf} GROUP BY {byGroup} owner) x
                {(groups.Length > 0 ? "GROUP BY " + groupList : "")}
            )
            SELECT {(groups.Length > 0 ? string.Join(", ", groups.Select(g => "a." + g)) + "," : "")}
                   a.n, a.employers, l.largest, a.pct, a.lo, a.hi, a.bases
            FROM (
                SELECT {byGroup} count(*)::int AS n, count(DISTINCT owner)::int AS employers,
                       percentile_cont(ARRAY[{fractions}]::float8[]) WITHIN GROUP (ORDER BY v) AS pct, min(v) AS lo, max(v) AS hi,
                       {(company ? "array_agg('unknown'::text)" : "array_agg(coalesce(equityBasis, 'unknown'))")} AS bases
                FROM {rowsOf} {(groups.Length > 0 ? "GROUP BY " + groupList : "")}
            ) a
            JOIN largest l ON {(groups.Length > 0 ? string.Join(" AND ", groups.Select(g => $"a.{g} IS NOT DISTINCT FROM l.{g}")) : "true")}
            WHERE a.n > 0
            ORDER BY {(groups.Length > 0 ? string.Join(", ", groups.Select(g => $"a.{g} COLLATE \"C\"")) : "1")}
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<ReferenceCell>();
        while (await reader.ReadAsync())
        {
            var group = Enumerable.Range(0, groups.Length).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray();
            var at = groups.Length;
            result.Add(new ReferenceCell(group, reader.GetInt32(at), reader.GetInt32(at + 1), (int)reader.GetInt64(at + 2),
                reader.GetFieldValue<double[]>(at + 3), reader.GetDouble(at + 4), reader.GetDouble(at + 5))
            {
                Bases = reader.GetFieldValue<string[]>(at + 6).CountBy(b => b).ToDictionary(b => b.Key, b => b.Value),
            });
        }
        return result;
    }
}
