using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comp.Api.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Reliability;

/// <summary>
/// Property test of the disclosure rules (SPEC §2) on every way a band leaves the API — JSON
/// bands, compare, position, trend, CSV and both charts — over a dataset of many small cells:
/// for every cell returned, its true n, distinct employers and largest employer are recomputed in
/// SQL on the test database, and no figure may be published for a cell the rules suppress.
/// </summary>
/// <remarks>
/// Rows are in two currencies (USD, and EUR for the French and German regions) and queries ask
/// for USD or EUR, sometimes aged: the reference converts each value with the SPEC §3 rule itself
/// (the latest rate on or before the effective date, else the earliest; USD is 1) in a per-row
/// lookup, written independently of the API's period join. Counts do not depend on conversion
/// (every row's currency has rates); the smallest and largest value of a cell do.
/// </remarks>
public sealed class PrivacyPropertyTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private const int Seed = 20261127;
    private const int Queries = 1_200;
    /// <summary>Added on top of <see cref="Queries"/> (whose stream and thresholds stay as they were): the keys of issue 17.</summary>
    private const int IssueSeventeenQueries = 300;

    private static readonly string[] Roles = ["ml-engineer", "software-engineer", "research-scientist", "data-scientist", "engineering-manager", "product-manager"];
    private static readonly string[] Regions =
        ["us-ca", "us-ca-sf-bay-area", "us-ca-los-angeles", "us-ny", "us-ny-new-york", "us-wa-seattle", "us-tx-austin", "fr-idf-paris", "de-be-berlin", "gb-eng-london"];
    private static readonly string[] RegionFilters =
        ["us", "us-ca", "us-ny", "us-wa", "us-tx", "fr", "de", "gb", "fr-idf", "us-ca-sf-bay-area", "us-ny-new-york", "us-wa-seattle", "us-ca-los-angeles", "gb-eng-london", "us-tx-austin"];
    private static readonly string?[] Levels = ["L2", "L3", "L4", "L5", "L6", "L7", null];
    private static readonly string[] Sources = ["self_reported", "offer_letter", "employer_survey", "aggregator"];
    private static readonly string[] ComponentNames = ["total", "total", "base", "base", "base", "base", "bonus", "equity", "retention", "signon", "year1"];
    private static readonly string[] GroupKeys = ["employer", "role", "level", "region"];
    private static readonly string[] Bases = ["public_rsu", "private_rsu_409a", "profit_units"];
    private static readonly string[] PackageTypes = ["new_hire", "current", "retention"];
    private static readonly string[] Employers = Enumerable.Range(0, 60).Select(i => $"emp-{i:00}").ToArray();
    private static readonly int[] Grid = Enumerable.Range(1, 19).Select(i => i * 5).ToArray();
    private static readonly int[] DefaultPercentiles = [10, 25, 50, 75, 90];

    // ---- the dataset: 60 employers of very different sizes, so most cuts have small cells ----

    private static List<SeedRow> Dataset(Random random)
    {
        // Issue 17's fields from a generator of their own: the rest of the dataset is the one the thresholds below were sized on.
        var extra = new Random(Seed + 17);
        var weights = Employers.Select((_, i) => 1 / Math.Pow(i + 1, 1.1)).ToArray();
        var total = weights.Sum();
        string Employer()
        {
            var x = random.NextDouble() * total;
            for (var i = 0; i < weights.Length; i++)
                if ((x -= weights[i]) < 0)
                    return Employers[i];
            return Employers[^1];
        }
        var rows = new List<SeedRow>(3_060);
        for (var i = 0; i < 3_000; i++)
        {
            var region = Regions[(int)Math.Floor(Math.Pow(random.NextDouble(), 1.3) * Regions.Length)];
            var currency = region.StartsWith("fr-", StringComparison.Ordinal) || region.StartsWith("de-", StringComparison.Ordinal) ? "EUR" : "USD";
            var basePay = Math.Round(150_000 * Math.Exp(0.45 * Normal(random)) * (currency == "EUR" ? 0.6 : 1));
            // Most people report round numbers: ties, also at the ends of cells.
            if (random.NextDouble() < 0.6)
                basePay = Math.Max(10_000, Math.Round(basePay / 10_000) * 10_000);
            decimal? Maybe(double chance, double amount) => random.NextDouble() < chance ? (decimal)Math.Round(amount) : null;
            rows.Add(new SeedRow(
                Employer(),
                Roles[(int)Math.Floor(Math.Pow(random.NextDouble(), 1.5) * Roles.Length)],
                Levels[random.Next(Levels.Length)],
                region,
                currency,
                new DateOnly(2022, 1, 1).AddDays(random.Next(911)),
                (decimal)basePay,
                TargetBonus: Maybe(0.65, basePay * (0.05 + 0.2 * random.NextDouble())),
                SignOnBonus: Maybe(0.3, 5_000 + 45_000 * random.NextDouble()),
                EquityGrant: Maybe(0.45, basePay * (0.5 + 3.5 * random.NextDouble())),
                EquityVestingYears: 1 + random.Next(6),
                RetentionGrant: Maybe(0.15, basePay * random.NextDouble() * 2),
                RetentionVestingYears: 1 + random.Next(4),
                Source: Sources[random.Next(Sources.Length)],
                Verified: random.NextDouble() < 0.25,
                EquityBasis: extra.NextDouble() < 0.5 ? Bases[extra.Next(Bases.Length)] : null,
                PackageType: PackageTypes[extra.Next(PackageTypes.Length)]));
            // A fifth of the four-year grants vest back- or front-loaded.
            if (rows[^1].EquityVestingYears == 4 && extra.NextDouble() < 0.2)
                rows[^1] = rows[^1] with { EquityVestingSchedule = extra.NextDouble() < 0.5 ? [5m, 15m, 40m, 40m] : [33m, 33m, 22m, 12m] };
        }
        // Ties: a block in the rarest role and region whose smallest and largest values repeat, so that
        // percentiles (and interval bounds) equal to a cell's minimum or maximum occur and must be withheld.
        rows.AddRange(Enumerable.Range(0, 60).Select(i => rows[i] with
        {
            BaseSalary = i < 25 ? 120_000m : i < 50 ? 130_000m + 4_000m * (i - 25) : 250_000m,
            Currency = "USD", Region = "gb-eng-london", Role = "product-manager", Level = "L3", Employer = Employers[10 + i % 12],
            TargetBonus = null, EquityGrant = null, RetentionGrant = null, SignOnBonus = null,
        }));
        return rows;
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // ---- random queries ----

    private sealed record Query(string Kind, Dictionary<string, string> Parameters, List<Dictionary<string, string>> Segments)
    {
        public string QueryString => string.Join("&", Parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        public override string ToString() => $"{Kind} {QueryString}" + (Segments.Count > 0 ? " segments " + JsonSerializer.Serialize(Segments) : "");
    }

    private static Dictionary<string, string> Filter(Random random, Random? extra)
    {
        var p = new Dictionary<string, string>();
        string Some(IReadOnlyList<string> items, int max) => string.Join(",", items.OrderBy(_ => random.Next()).Take(1 + random.Next(max)));
        var roll = random.NextDouble();
        if (roll < 0.22) p["employer"] = Employers[random.Next(Employers.Length)];
        else if (roll < 0.30) p["employer"] = Some(Employers, 3);
        if (random.NextDouble() < 0.55) p["role"] = Some(Roles, random.NextDouble() < 0.85 ? 1 : 2);
        if (random.NextDouble() < 0.3) p["level"] = Some(Levels.OfType<string>().ToList(), random.NextDouble() < 0.85 ? 1 : 2);
        if (random.NextDouble() < 0.55) p["region"] = Some(RegionFilters, random.NextDouble() < 0.9 ? 1 : 2);
        if (random.NextDouble() < 0.15) p["from"] = Date(new DateOnly(2022, 1, 1).AddDays(random.Next(800)));
        if (random.NextDouble() < 0.15) p["to"] = Date(new DateOnly(2022, 6, 1).AddDays(random.Next(800)));
        if (p.TryGetValue("from", out var f) && p.TryGetValue("to", out var t) && string.CompareOrdinal(f, t) > 0) p.Remove("to");
        if (random.NextDouble() < 0.12) p["source"] = Some(Sources, 2);
        if (random.NextDouble() < 0.08) p["verified"] = random.NextDouble() < 0.5 ? "true" : "false";
        // Issue 17's filters, on the queries added for it (extra: their generator).
        if (extra is not null && extra.NextDouble() < 0.3) p["equityBasis"] = string.Join(",", Bases.OrderBy(_ => extra.Next()).Take(1 + extra.Next(2)));
        if (extra is not null && extra.NextDouble() < 0.3) p["packageType"] = string.Join(",", PackageTypes.OrderBy(_ => extra.Next()).Take(1 + extra.Next(2)));
        return p;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void Shared(Random random, Random? extra, Dictionary<string, string> p, bool percentiles)
    {
        p["component"] = ComponentNames[random.Next(ComponentNames.Length)];
        if (extra is not null && extra.NextDouble() < 0.4)
            p["component"] = extra.NextDouble() < 0.5 ? "year2" : "year4";
        if (random.NextDouble() < 0.2) p["currency"] = "EUR";
        if (random.NextDouble() < 0.12) p["agedTo"] = Date(new DateOnly(2024, 1, 1).AddDays(random.Next(1000)));
        if (percentiles && random.NextDouble() < 0.6)
            p["percentiles"] = string.Join(",", Enumerable.Range(0, 1 + random.Next(6)).Select(_ => random.NextDouble() < 0.3 ? new[] { 1, 2, 5, 95, 98, 99 }[random.Next(6)] : 1 + random.Next(99)));
    }

    private static void GroupBy(Random random, Random? extra, Dictionary<string, string> p, double chance)
    {
        if (random.NextDouble() < chance)
            p["groupBy"] = string.Join(",", GroupKeys.OrderBy(_ => random.Next()).Take(1 + random.Next(2)));
        // Now and then by equity basis or package type too (or instead), from issue 17's generator.
        if (extra is not null && extra.NextDouble() < 0.5)
        {
            var key = extra.NextDouble() < 0.5 ? "equityBasis" : "packageType";
            p["groupBy"] = p.TryGetValue("groupBy", out var keys) && extra.NextDouble() < 0.5 ? keys.Split(',')[0] + "," + key : key;
        }
    }

    /// <summary>A random query; with <paramref name="extra"/>, one of those added for issue 17 (equity basis, package type, year2 and year4), drawn from it.</summary>
    private static Query Next(Random random, Random? extra)
    {
        var roll = random.NextDouble();
        var kind = roll switch
        {
            < 0.30 => "bands",
            < 0.40 => "bands.csv",
            < 0.55 => "compare",
            < 0.70 => "position",
            < 0.78 => "trend",
            < 0.82 => "trend.csv",
            < 0.93 => "chart",
            _ => "chart.post",
        };
        var p = kind is "compare" or "chart.post" ? [] : Filter(random, extra);
        var segments = new List<Dictionary<string, string>>();
        switch (kind)
        {
            case "bands" or "bands.csv":
                Shared(random, extra, p, percentiles: true);
                GroupBy(random, extra, p, 0.45);
                break;
            case "trend" or "trend.csv":
                Shared(random, extra, p, percentiles: true);
                GroupBy(random, extra, p, 0.2);
                p["interval"] = random.NextDouble() < 0.5 ? "quarter" : "year";
                break;
            case "position":
                Shared(random, extra, p, percentiles: false);
                p["amount"] = Math.Round(40_000 * Math.Exp(random.NextDouble() * 3.5)).ToString(CultureInfo.InvariantCulture);
                break;
            case "chart":
                Shared(random, extra, p, percentiles: false);
                GroupBy(random, extra, p, 0.35);
                break;
            default:
                Shared(random, extra, p, percentiles: kind == "compare");
                var count = 1 + random.Next(4);
                for (var i = 0; i < count; i++)
                    segments.Add(Filter(random, extra));
                break;
        }
        return new Query(kind, p, segments);
    }

    // ---- the reference, in SQL ----

    private sealed record Reference(int N, int Employers, int Largest, double? Min, double? Max);

    private const string NullKey = "\u2400";

    private static string Key(IEnumerable<string?> values) => string.Join("\u001f", values.Select(v => v ?? NullKey));

    private static readonly Dictionary<string, string> ValueSql = new()
    {
        ["base"] = "d.base_salary::float8",
        ["bonus"] = "d.target_bonus::float8",
        ["equity"] = "d.equity_grant::float8 / d.equity_vesting_years",
        ["retention"] = "d.retention_grant::float8 / d.retention_vesting_years",
        ["signon"] = "d.sign_on_bonus::float8",
        ["total"] = "d.base_salary::float8 + coalesce(d.target_bonus::float8, 0) + coalesce(d.equity_grant::float8, 0) / d.equity_vesting_years + coalesce(d.retention_grant::float8, 0) / d.retention_vesting_years",
        ["year1"] = Features.Bands.BandsMatchPercentileContTests.Year(1),
        ["year2"] = Features.Bands.BandsMatchPercentileContTests.Year(2),
        ["year4"] = Features.Bands.BandsMatchPercentileContTests.Year(4),
    };

    private static readonly Dictionary<string, string> PresentSql = new()
    {
        ["bonus"] = "d.target_bonus IS NOT NULL",
        ["equity"] = "d.equity_grant IS NOT NULL",
        ["retention"] = "d.retention_grant IS NOT NULL",
        ["signon"] = "d.sign_on_bonus IS NOT NULL",
    };

    /// <summary>Every cell of a cut: its true n, distinct employers, largest employer's datapoints, and smallest and largest value.</summary>
    private static async Task<Dictionary<string, Reference>> ReferenceAsync(
        NpgsqlConnection connection, IReadOnlyDictionary<string, string> filter, IReadOnlyDictionary<string, string> shared, IReadOnlyList<string> groups, string? interval)
    {
        static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
        static string In(string column, string list) => $"{column} IN ({string.Join(",", list.Split(',').Select(Quote))})";
        // SPEC §3: the rate of the latest date on or before the effective date, else the earliest; USD is 1.
        static string Rate(string currency) =>
            $"(CASE WHEN {currency} = 'USD' THEN 1.0::float8 ELSE coalesce(" +
            $"(SELECT usd_per_unit::float8 FROM fx_rates r WHERE r.currency = {currency} AND r.date <= d.effective_date ORDER BY r.date DESC LIMIT 1), " +
            $"(SELECT usd_per_unit::float8 FROM fx_rates r WHERE r.currency = {currency} ORDER BY r.date LIMIT 1)) END)";

        var component = shared.GetValueOrDefault("component", "total");
        var target = Quote(shared.GetValueOrDefault("currency", "USD"));
        var value = $"({ValueSql[component]})";
        value = $"(CASE WHEN d.currency = {target} THEN {value} ELSE {value} * {Rate("d.currency")} / {Rate(target)} END)";
        if (shared.TryGetValue("agedTo", out var agedTo))
            value = $"({value} * power(1 + 0.03::float8, (DATE {Quote(agedTo)} - d.effective_date)::float8 / 365.25))";

        var where = new List<string> { "true" };
        if (PresentSql.TryGetValue(component, out var present)) where.Add(present);
        if (filter.TryGetValue("employer", out var employer)) where.Add(In("e.slug", employer));
        if (filter.TryGetValue("role", out var role)) where.Add(In("d.role", role));
        if (filter.TryGetValue("level", out var level)) where.Add(In("d.level", level));
        if (filter.TryGetValue("region", out var region))
            where.Add("(" + string.Join(" OR ", region.Split(',').Select(r => $"d.region = {Quote(r)} OR d.region LIKE {Quote(r + "-%")}")) + ")");
        if (filter.TryGetValue("from", out var from)) where.Add($"d.effective_date >= DATE {Quote(from)}");
        if (filter.TryGetValue("to", out var to)) where.Add($"d.effective_date <= DATE {Quote(to)}");
        if (filter.TryGetValue("source", out var source)) where.Add(In("d.source", source));
        if (filter.TryGetValue("verified", out var verified)) where.Add($"d.verified = {verified}");
        if (filter.TryGetValue("equityBasis", out var basis)) where.Add(In("d.equity_basis", basis));
        if (filter.TryGetValue("packageType", out var packageType)) where.Add(In("d.package_type", packageType));

        string GroupSql(string key) => key switch
        {
            "employer" => "e.slug",
            "role" => "d.role",
            "level" => "d.level",
            "region" => "d.region",
            "equityBasis" => "d.equity_basis",
            "packageType" => "d.package_type",
            "period" => interval == "quarter" ? "to_char(d.effective_date, 'YYYY') || '-Q' || to_char(d.effective_date, 'Q')" : "to_char(d.effective_date, 'YYYY')",
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
        };
        var g = Enumerable.Range(0, groups.Count).Select(i => $"g{i}").ToList();
        var select = string.Concat(groups.Select((k, i) => $"{GroupSql(k)} AS g{i}, "));
        var list = string.Concat(g.Select(x => x + ", "));
        var groupBy = g.Count == 0 ? "" : "GROUP BY " + string.Join(", ", g);
        var join = g.Count == 0 ? "true" : string.Join(" AND ", g.Select(x => $"a.{x} IS NOT DISTINCT FROM l.{x}"));
        var sql = $"""
            WITH f AS (
                SELECT {select} e.slug AS owner, {value} AS v
                FROM datapoints d JOIN employers e ON e.id = d.employer_id
                WHERE {string.Join(" AND ", where)}
            )
            SELECT {string.Concat(g.Select(x => $"a.{x}, "))} a.n, a.employers, coalesce(l.largest, 0), a.lo, a.hi
            FROM (SELECT {list} count(*)::int AS n, count(DISTINCT owner)::int AS employers, min(v) AS lo, max(v) AS hi FROM f {groupBy}) a
            JOIN (SELECT {list} max(c)::int AS largest FROM (SELECT {list} owner, count(*) AS c FROM f GROUP BY {list} owner) x {groupBy}) l ON {join}
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var cells = new Dictionary<string, Reference>();
        while (await reader.ReadAsync())
        {
            var key = Key(Enumerable.Range(0, g.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)));
            var at = g.Count;
            cells[key] = new Reference(reader.GetInt32(at), reader.GetInt32(at + 1), reader.GetInt32(at + 2),
                reader.IsDBNull(at + 3) ? null : reader.GetDouble(at + 3), reader.IsDBNull(at + 4) ? null : reader.GetDouble(at + 4));
        }
        return cells;
    }

    // ---- the rules ----

    private static List<string> Reasons(Reference r, bool spansEmployers)
    {
        var reasons = new List<string>();
        if (r.N < 5) reasons.Add("too_few_datapoints");
        if (spansEmployers)
        {
            if (r.Employers < 5) reasons.Add("too_few_employers");
            if (r.N > 0 && r.Largest * 4 > r.N) reasons.Add("employer_dominance");
        }
        return reasons;
    }

    private static bool Allowed(int percentile, int n) =>
        percentile is < 10 or > 90 ? n >= 20 : percentile is < 25 or > 75 ? n >= 10 : n >= 5;

    private static decimal Cents(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    private static bool SpansEmployers(IReadOnlyDictionary<string, string> filter, IEnumerable<string> groups) =>
        !(filter.TryGetValue("employer", out var e) && e.Split(',').Distinct().Count() == 1) && !groups.Contains("employer");

    private sealed class Stats
    {
        public int Requests, Cells, Suppressed, Published, Figures, WithheldSmall, WithheldExtreme, CiBounds, CsvRows, ChartSegments, SuppressedSegments, NullRanks;
        public readonly ConcurrentDictionary<string, int> Reasons = new(), Kinds = new();
    }

    /// <summary>A JSON cell against its reference: suppressed exactly when the rules say, and then without any figure.</summary>
    private static void CheckCell(JsonElement cell, Reference r, bool spans, IReadOnlyList<int> percentiles, string context, Stats stats, ConcurrentQueue<string> failures)
    {
        Interlocked.Increment(ref stats.Cells);
        var reasons = Reasons(r, spans);
        var suppressed = cell.GetProperty("suppressed").GetBoolean();
        var given = cell.GetProperty("reasons").EnumerateArray().Select(x => x.GetString()!).ToList();
        var truth = $"n={r.N}, employers={r.Employers}, largest={r.Largest}";
        if (suppressed != reasons.Count > 0 || !given.SequenceEqual(reasons))
            failures.Enqueue($"{context}: suppressed={suppressed} [{string.Join(",", given)}] but {truth} needs [{string.Join(",", reasons)}]");
        if (reasons.Count > 0)
        {
            Interlocked.Increment(ref stats.Suppressed);
            foreach (var reason in reasons)
                stats.Reasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
            foreach (var field in new[] { "n", "employers", "percentiles", "ci", "confidence" })
            {
                if (cell.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                    failures.Enqueue($"{context}: suppressed ({truth}) but publishes {field} = {value}");
            }
            return;
        }
        Interlocked.Increment(ref stats.Published);
        // Counts per equity basis: none below the cell minimum, and never exactly one withheld (n minus the others would give it).
        if (cell.TryGetProperty("equityBases", out var bases) && bases.ValueKind == JsonValueKind.Object)
        {
            var counts = bases.EnumerateObject().Select(b => b.Value.ValueKind == JsonValueKind.Null ? (int?)null : b.Value.GetInt32()).ToList();
            if (counts.Any(c => c < 5) || counts.Count(c => c is null) == 1)
                failures.Enqueue($"{context}: equityBases {bases} publish a count below 5 or withhold exactly one");
        }
        if (cell.GetProperty("n").GetInt32() != r.N || cell.GetProperty("employers").GetInt32() != r.Employers)
            failures.Enqueue($"{context}: n={cell.GetProperty("n")}, employers={cell.GetProperty("employers")} but {truth}");
        var (min, max) = (Cents(r.Min!.Value), Cents(r.Max!.Value));
        var figures = cell.GetProperty("percentiles");
        var ci = cell.GetProperty("ci");
        var keys = figures.EnumerateObject().Select(x => x.Name).ToList();
        if (!keys.SequenceEqual(percentiles.Select(x => $"p{x}")))
            failures.Enqueue($"{context}: percentiles {string.Join(",", keys)}, asked for {string.Join(",", percentiles)}");
        foreach (var p in percentiles)
        {
            if (!figures.TryGetProperty($"p{p}", out var figure))
                continue;
            var hasCi = ci.TryGetProperty($"p{p}", out var interval);
            if (!Allowed(p, r.N))
            {
                Interlocked.Increment(ref stats.WithheldSmall);
                if (figure.ValueKind != JsonValueKind.Null || hasCi)
                    failures.Enqueue($"{context}: p{p} = {figure} published for n = {r.N}");
                continue;
            }
            if (figure.ValueKind == JsonValueKind.Null)
            {
                Interlocked.Increment(ref stats.WithheldExtreme);
                if (hasCi)
                    failures.Enqueue($"{context}: p{p} withheld but its ci is published");
                continue;
            }
            Interlocked.Increment(ref stats.Figures);
            var v = figure.GetDecimal();
            if (v <= min || v >= max)
                failures.Enqueue($"{context}: p{p} = {v} is not strictly between the cell's smallest {min} and largest {max} ({truth})");
            if (!hasCi)
            {
                failures.Enqueue($"{context}: p{p} has no ci");
                continue;
            }
            foreach (var bound in new[] { "lower", "upper" })
            {
                var b = interval.GetProperty(bound);
                if (b.ValueKind == JsonValueKind.Null)
                    continue;
                Interlocked.Increment(ref stats.CiBounds);
                var x = b.GetDecimal();
                if (x == min || x == max || x < min || x > max)
                    failures.Enqueue($"{context}: ci {bound} of p{p} = {x} equals or passes the cell's smallest {min} or largest {max}");
            }
        }
    }

    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new List<string>();
            var current = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = !quoted;
                else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
                else current.Append(c);
            }
            fields.Add(current.ToString());
            rows.Add([.. fields]);
        }
        return rows;
    }

    private static readonly Regex SegmentLabel = new("<text x=\"24\" y=\"\\d+\" font-size=\"14\" fill=\"#111\">(.*?)</text>", RegexOptions.Compiled);
    private static readonly Regex TextNode = new(">([^<]+)<", RegexOptions.Compiled);

    /// <summary>The chart's segments: label → everything drawn for it.</summary>
    private static Dictionary<string, string> Segments(string svg)
    {
        var matches = SegmentLabel.Matches(svg);
        var segments = new Dictionary<string, string>();
        for (var i = 0; i < matches.Count; i++)
        {
            var end = i + 1 < matches.Count ? matches[i + 1].Index : svg.LastIndexOf("</svg>", StringComparison.Ordinal);
            segments[WebUtility.HtmlDecode(matches[i].Groups[1].Value)] = svg[matches[i].Index..end];
        }
        return segments;
    }

    private static void CheckSegment(string label, string segment, Reference r, bool spans, string context, Stats stats, ConcurrentQueue<string> failures)
    {
        Interlocked.Increment(ref stats.ChartSegments);
        var reasons = Reasons(r, spans);
        var texts = TextNode.Matches(segment).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        if (reasons.Count > 0)
        {
            Interlocked.Increment(ref stats.SuppressedSegments);
            var expected = new[] { label, "suppressed", "suppressed: " + string.Join(", ", reasons) };
            if (!texts.SequenceEqual(expected) || segment.Contains("<rect", StringComparison.Ordinal) || segment.Contains("<line", StringComparison.Ordinal))
                failures.Enqueue($"{context}: suppressed segment '{label}' (n={r.N}, employers={r.Employers}, largest={r.Largest}) draws {segment}");
            return;
        }
        var n = $"n = {r.N.ToString("N0", CultureInfo.InvariantCulture)} · {r.Employers} employer{(r.Employers == 1 ? "" : "s")}";
        if (!texts.Contains(n) || texts.Any(t => t.StartsWith("suppressed", StringComparison.Ordinal)))
            failures.Enqueue($"{context}: published segment '{label}' should say '{n}': {string.Join(" | ", texts)}");
    }

    [Fact]
    public async Task No_returned_cell_publishes_a_figure_that_the_disclosure_rules_withhold()
    {
        var random = new Random(Seed);
        await Factory.InsertAsync(Dataset(random));
        var queries = Enumerable.Range(0, Queries).Select(_ => Next(random, null)).ToList();
        var extra = new Random(Seed + 1);
        queries.AddRange(Enumerable.Range(0, IssueSeventeenQueries).Select(_ => Next(extra, extra)));
        var stats = new Stats();
        var failures = new ConcurrentQueue<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Parallel.ForEachAsync(queries, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (query, _) =>
        {
            await using var connection = await Factory.OpenAsync();
            try
            {
                await RunAsync(query, connection, stats, failures);
            }
            catch (Exception ex)
            {
                failures.Enqueue($"{query}: {ex.GetType().Name}: {ex.Message}");
            }
        });

        output.WriteLine($"{queries.Count} queries ({string.Join(", ", stats.Kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}), {stats.Requests} requests, " +
            $"{clock.Elapsed.TotalSeconds:0.0} s (seed {Seed})");
        output.WriteLine($"cells checked: {stats.Cells} ({stats.Suppressed} suppressed: {string.Join(", ", stats.Reasons.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}"))}; " +
            $"{stats.Published} published)");
        output.WriteLine($"published percentiles checked against min/max: {stats.Figures}; ci bounds: {stats.CiBounds}; withheld for n: {stats.WithheldSmall}; " +
            $"withheld as min/max: {stats.WithheldExtreme}");
        output.WriteLine($"CSV rows: {stats.CsvRows}; chart segments: {stats.ChartSegments} ({stats.SuppressedSegments} suppressed); positions without a rank on suppressed cells: {stats.NullRanks}");

        Assert.True(failures.IsEmpty, $"{failures.Count} violations over {queries.Count} queries; first ones:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(queries.Count >= 1_000);
        // Both sides of every rule were exercised, or the test proves little.
        Assert.True(stats.Suppressed > 500 && stats.Published > 500, $"{stats.Suppressed} suppressed, {stats.Published} published cells");
        Assert.All(new[] { "too_few_datapoints", "too_few_employers", "employer_dominance" }, r => Assert.True(stats.Reasons.GetValueOrDefault(r) > 20, $"{r}: {stats.Reasons.GetValueOrDefault(r)}"));
        Assert.True(stats.WithheldSmall > 100 && stats.WithheldExtreme > 20 && stats.Figures > 1_000, "threshold and min/max withholding both exercised");
        Assert.True(stats.CsvRows > 100 && stats.SuppressedSegments > 50 && stats.NullRanks > 50, "CSV, charts and positions exercised on suppressed cells");
    }

    private async Task RunAsync(Query query, NpgsqlConnection connection, Stats stats, ConcurrentQueue<string> failures)
    {
        stats.Kinds.AddOrUpdate(query.Kind, 1, (_, n) => n + 1);
        var client = Factory.CreateExactClient();
        var p = query.Parameters;
        var groupBy = p.TryGetValue("groupBy", out var g) ? g.Split(',').ToList() : [];
        var percentiles = p.TryGetValue("percentiles", out var list) ? list.Split(',').Select(int.Parse).Distinct().Order().ToArray() : DefaultPercentiles;
        var context = query.ToString();

        async Task<string> GetAsync(string path, string? accept = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (accept is not null)
                request.Headers.Add("Accept", accept);
            var response = await client.SendAsync(request);
            Interlocked.Increment(ref stats.Requests);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
            return body;
        }

        async Task<string> PostAsync(string path, object body)
        {
            var response = await client.PostAsJsonAsync(path, body);
            Interlocked.Increment(ref stats.Requests);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
            return text;
        }

        object CompareBody(bool withPercentiles) => new Dictionary<string, object?>
        {
            ["component"] = p["component"],
            ["currency"] = p.GetValueOrDefault("currency"),
            ["agedTo"] = p.GetValueOrDefault("agedTo"),
            ["percentiles"] = withPercentiles ? p.GetValueOrDefault("percentiles") : null,
            ["segments"] = query.Segments.Select((s, i) => new Dictionary<string, object?>
            {
                ["label"] = $"Segment {i}",
                ["filter"] = s.ToDictionary(x => x.Key, x => x.Key == "verified" ? (object)bool.Parse(x.Value) : x.Value),
            }).ToList(),
        };

        switch (query.Kind)
        {
            case "bands" or "trend":
            {
                var trend = query.Kind == "trend";
                var keys = trend ? ["period", .. groupBy] : groupBy;
                var body = JsonDocument.Parse(await GetAsync((trend ? "/v1/bands/trend?" : "/v1/bands?") + query.QueryString)).RootElement;
                var reference = await ReferenceAsync(connection, p, p, keys, p.GetValueOrDefault("interval"));
                var cells = body.GetProperty("cells").EnumerateArray().ToList();
                var seen = new HashSet<string>();
                foreach (var cell in cells)
                {
                    var group = cell.GetProperty("group");
                    var key = Key(keys.Select(k => group.GetProperty(k).ValueKind == JsonValueKind.Null ? null : group.GetProperty(k).GetString()));
                    seen.Add(key);
                    // An ungrouped empty cut is still one (empty) cell.
                    var r = reference.GetValueOrDefault(key) ?? (keys.Count == 0 ? new Reference(0, 0, 0, null, null) : null);
                    if (r is null)
                        failures.Enqueue($"{context}: cell {key} has no datapoints in SQL");
                    else
                        CheckCell(cell, r, SpansEmployers(p, keys), percentiles, $"{context} cell {key}", stats, failures);
                }
                foreach (var missing in reference.Where(r => r.Value.N > 0 && !seen.Contains(r.Key)))
                    failures.Enqueue($"{context}: SQL has cell {missing.Key} (n={missing.Value.N}) that the answer lacks");
                break;
            }
            case "bands.csv" or "trend.csv":
            {
                var trend = query.Kind == "trend.csv";
                var keys = trend ? ["period", .. groupBy] : groupBy;
                var rows = ParseCsv(await GetAsync((trend ? "/v1/bands/trend?" : "/v1/bands?") + query.QueryString, "text/csv"));
                var reference = await ReferenceAsync(connection, p, p, keys, p.GetValueOrDefault("interval"));
                var header = rows[0];
                int Column(string name) => Array.IndexOf(header, name);
                foreach (var row in rows.Skip(1))
                {
                    Interlocked.Increment(ref stats.CsvRows);
                    var key = Key(keys.Select(k => row[Column(k)] is { Length: > 0 } v ? v : null));
                    var r = reference.GetValueOrDefault(key) ?? (keys.Count == 0 ? new Reference(0, 0, 0, null, null) : null);
                    if (r is null)
                    {
                        failures.Enqueue($"{context}: CSV row {key} has no datapoints in SQL");
                        continue;
                    }
                    var reasons = Reasons(r, SpansEmployers(p, keys));
                    var figures = new[] { "n", "employers", "confidence" }.Concat(percentiles.Select(x => $"p{x}")).Select(c => (c, row[Column(c)])).ToList();
                    if ((row[Column("suppressed")] == "true") != reasons.Count > 0 || row[Column("reasons")] != string.Join(";", reasons))
                        failures.Enqueue($"{context}: CSV row {key} suppressed={row[Column("suppressed")]} reasons={row[Column("reasons")]}, but n={r.N}, employers={r.Employers}, largest={r.Largest}");
                    if (reasons.Count > 0)
                    {
                        foreach (var (column, value) in figures.Where(f => f.Item2.Length > 0))
                            failures.Enqueue($"{context}: suppressed CSV row {key} publishes {column} = {value}");
                        continue;
                    }
                    if (row[Column("n")] != r.N.ToString(CultureInfo.InvariantCulture))
                        failures.Enqueue($"{context}: CSV row {key} n = {row[Column("n")]}, SQL n = {r.N}");
                    var (min, max) = (Cents(r.Min!.Value), Cents(r.Max!.Value));
                    foreach (var x in percentiles)
                    {
                        var text = row[Column($"p{x}")];
                        if (text.Length == 0)
                            continue;
                        var v = decimal.Parse(text, CultureInfo.InvariantCulture);
                        if (!Allowed(x, r.N) || v <= min || v >= max)
                            failures.Enqueue($"{context}: CSV row {key} publishes p{x} = {v} (n={r.N}, min {min}, max {max})");
                    }
                }
                break;
            }
            case "compare":
            {
                var body = JsonDocument.Parse(await PostAsync("/v1/bands/compare", CompareBody(withPercentiles: true))).RootElement;
                var cells = body.GetProperty("cells").EnumerateArray().ToList();
                if (cells.Count != query.Segments.Count)
                    failures.Enqueue($"{context}: {cells.Count} cells for {query.Segments.Count} segments");
                for (var i = 0; i < Math.Min(cells.Count, query.Segments.Count); i++)
                {
                    var reference = await ReferenceAsync(connection, query.Segments[i], p, [], null);
                    if (cells[i].GetProperty("label").GetString() != $"Segment {i}")
                        failures.Enqueue($"{context}: cell {i} is labelled {cells[i].GetProperty("label")}");
                    CheckCell(cells[i], reference[Key([])], SpansEmployers(query.Segments[i], []), percentiles, $"{context} segment {i}", stats, failures);
                }
                break;
            }
            case "position":
            {
                var body = JsonDocument.Parse(await GetAsync("/v1/bands/position?" + query.QueryString)).RootElement;
                var r = (await ReferenceAsync(connection, p, p, [], null))[Key([])];
                var cell = body.GetProperty("cell");
                CheckCell(cell, r, SpansEmployers(p, []), Grid, $"{context} cell", stats, failures);
                var rank = body.GetProperty("percentileRank");
                if (Reasons(r, SpansEmployers(p, [])).Count > 0)
                {
                    Interlocked.Increment(ref stats.NullRanks);
                    if (rank.ValueKind != JsonValueKind.Null || body.GetProperty("bound").ValueKind != JsonValueKind.Null)
                        failures.Enqueue($"{context}: a suppressed cell (n={r.N}) ranks the amount at {rank} {body.GetProperty("bound")}");
                }
                else if (rank.ValueKind != JsonValueKind.Null && rank.GetDecimal() is < 5 or > 95)
                    failures.Enqueue($"{context}: rank {rank} is off the 5–95 grid");
                break;
            }
            case "chart":
            {
                var svg = await GetAsync("/v1/bands/chart.svg?" + query.QueryString);
                var reference = await ReferenceAsync(connection, p, p, groupBy, null);
                var segments = Segments(svg);
                var spans = SpansEmployers(p, groupBy);
                if (groupBy.Count == 0)
                {
                    if (segments.Count != 1)
                        failures.Enqueue($"{context}: {segments.Count} segments in an ungrouped chart");
                    else
                        CheckSegment(segments.Keys.Single(), segments.Values.Single(), reference[Key([])], spans, context, stats, failures);
                    break;
                }
                var expected = reference.Where(r => r.Value.N > 0).ToDictionary(r => r.Key.Replace("\u001f", " · ").Replace(NullKey, "(none)"), r => r.Value);
                if (!expected.Keys.ToHashSet().SetEquals(segments.Keys))
                    failures.Enqueue($"{context}: chart segments {string.Join(" | ", segments.Keys)} but SQL cells {string.Join(" | ", expected.Keys)}");
                foreach (var (label, segment) in segments)
                {
                    if (expected.TryGetValue(label, out var r))
                        CheckSegment(label, segment, r, spans, context, stats, failures);
                }
                break;
            }
            case "chart.post":
            {
                var segments = Segments(await PostAsync("/v1/bands/chart.svg", CompareBody(withPercentiles: false)));
                for (var i = 0; i < query.Segments.Count; i++)
                {
                    var reference = await ReferenceAsync(connection, query.Segments[i], p, [], null);
                    if (!segments.TryGetValue($"Segment {i}", out var segment))
                        failures.Enqueue($"{context}: no segment {i} in the chart");
                    else
                        CheckSegment($"Segment {i}", segment, reference[Key([])], SpansEmployers(query.Segments[i], []), context, stats, failures);
                }
                break;
            }
        }
    }
}
