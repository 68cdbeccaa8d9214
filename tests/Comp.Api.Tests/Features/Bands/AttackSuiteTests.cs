using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Auth;
using Comp.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// The attack suite as an outside attacker runs it: the cells are planted through the API with an
/// ingest key (so the attacker knows every value), and attacked only through band answers. Each
/// attack is scored against chance (the same guesses against a fresh cell, or the cut without the
/// target) and must fail on the protected tier and succeed on the exact one. Each failure message
/// names the run's random <c>Privacy:Key</c>. The trial counts and thresholds are sized in each
/// test's summary for a false failure below 1 in 1,000 when the protected answers hold.
/// </summary>
public sealed class AttackSuiteTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private static readonly string Every = string.Join(',', Enumerable.Range(1, 99));
    private static readonly string[] Employers = ["plant-a", "plant-b", "plant-c", "plant-d", "plant-e"];

    private static Dictionary<string, object?> Row(string employer, decimal value, DateOnly date, string region = "us-ca", string source = "self_reported") =>
        Infrastructure.Datapoints.Valid(employer, "ml-engineer", region, value, "USD", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).With("source", source);

    private async Task<JsonElement> CellAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text} (Privacy:Key {CompApiFactory.PrivacyKey})");
        return Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("cells").EnumerateArray());
    }

    // ---- the planted distributions ----

    private static decimal LogNormal(Random random, double median, double sigma) =>
        Math.Round((decimal)(median * Math.Exp(sigma * AttackScoring.Gaussian(random))), 2);

    /// <summary>US full-time salaries of the ai-jobs file (../shared/data/real), in USD: real values, real ties.</summary>
    private static readonly Lazy<decimal[]> RealSalaries = new(() =>
    {
        var rows = SharedData.ReadCsv(SharedData.RealFile("ds_salaries_aijobs_2020_2023.csv")).ToList();
        var header = rows[0].ToList();
        int type = header.IndexOf("employment_type"), usd = header.IndexOf("salary_in_usd"), location = header.IndexOf("company_location");
        return rows.Skip(1).Where(r => r[type] == "FT" && r[location] == "US")
            .Select(r => decimal.Parse(r[usd], CultureInfo.InvariantCulture)).Where(v => v >= 20_000m).ToArray();
    });

    /// <summary>n values of one kind, sorted: narrow and wide log-normals, round thousands (many ties), real salaries.</summary>
    private static decimal[] Draw(string kind, Random random, int n) => (kind switch
    {
        "narrow" => Enumerable.Range(0, n).Select(_ => LogNormal(random, 150_000, 0.1)),
        "wide" => Enumerable.Range(0, n).Select(_ => LogNormal(random, 150_000, 0.8)),
        "tied" => Enumerable.Range(0, n).Select(_ => Math.Round(LogNormal(random, 150_000, 0.3) / 5_000m) * 5_000m),
        "real" => Enumerable.Range(0, n).Select(_ => RealSalaries.Value[random.Next(RealSalaries.Value.Length)]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    }).Order().ToArray();

    /// <summary>
    /// Reconstruction (a), leakage (b) and the extremes (e) on multi-employer cells: five employers,
    /// 40 datapoints (8 each) or 200 (40 each), of four kinds (narrow, wide, tied round thousands,
    /// real ai-jobs salaries), three cells per kind and size, each alone in its quarter. One request
    /// per cell asks every percentile 1–99; the attacker rebuilds the j-th smallest value from pairs
    /// of percentiles inside one rank interval and also takes every <c>ci</c> bound as a datapoint.
    /// Chance: the same guesses scored against a fresh cell of the same kind and size.
    /// Pass (protected): hits beat chance on at most 1 in 10 of the 2,880 values, and the published
    /// figures equal a value to the cent no more often than against the fresh cell, plus 1 in 100.
    /// With no advantage the two hit counts are two draws of one binomial: the difference exceeds
    /// 288 with a probability far below 1 in 1,000 for any hit rate (its standard deviation is at
    /// most 38). Exact: the same attack rebuilds most values of the 40-cells and every <c>ci</c>
    /// bound is a datapoint.
    /// </summary>
    [Fact]
    public async Task Multi_employer_cells_of_every_kind_are_rebuilt_from_exact_answers_and_not_from_protected_ones()
    {
        var ingest = await Factory.IngestClientAsync();
        var random = new Random(2026_12_06);
        var cells = new List<(string Kind, int N, DateOnly Quarter, decimal[] Values)>();
        var quarter = new DateOnly(2015, 1, 1);
        foreach (var n in new[] { 40, 200 })
        {
            foreach (var kind in new[] { "narrow", "wide", "tied", "real" })
            {
                for (var c = 0; c < 3; c++, quarter = quarter.AddMonths(3))
                {
                    var values = Draw(kind, random, n);
                    // Shuffled over the five employers, each with a fifth of the cell.
                    var order = values.OrderBy(_ => random.Next()).ToArray();
                    await ingest.PlantAsync(order.Select((v, i) => Row(Employers[i % 5], v, quarter.AddDays(10 + i % 60))).ToList());
                    cells.Add((kind, n, quarter, values));
                }
            }
        }

        int values40 = 0, exactHits40 = 0, protectedHits = 0, chanceHits = 0, allValues = 0;
        int exactCiBounds = 0, exactCiLeaks = 0, published = 0, leaked = 0, chanceLeaked = 0;
        foreach (var (kind, n, q, values) in cells)
        {
            var path = $"/v1/bands?role=ml-engineer&region=us-ca&component=base&from={q:yyyy-MM-dd}&to={q.AddMonths(3).AddDays(-1):yyyy-MM-dd}&percentiles={Every}";
            var fresh = Draw(kind, random, n);
            var exact = await CellAsync(Factory.CreateExactClient(), path);
            Assert.Equal(n, exact.GetProperty("n").GetInt32());
            if (n == 40)
            {
                values40 += n;
                exactHits40 += AttackScoring.Hits(AttackScoring.Rebuild(exact, n), values) - AttackScoring.Hits(AttackScoring.Rebuild(exact, n), fresh);
            }
            var bounds = AttackScoring.CiBounds(exact).ToList();
            exactCiBounds += bounds.Count;
            exactCiLeaks += bounds.Count(values.Contains);

            var cell = await CellAsync(Factory.CreateClient(), path);
            var guesses = AttackScoring.Rebuild(cell, n);
            protectedHits += AttackScoring.Hits(guesses, values);
            chanceHits += AttackScoring.Hits(guesses, fresh);
            allValues += n;
            var figures = AttackScoring.Figures(cell).ToList();
            published += figures.Count;
            leaked += figures.Count(values.Contains);
            chanceLeaked += figures.Count(fresh.Contains);
        }

        output.WriteLine($"exact: {exactHits40} of {values40} values of the 40-cells rebuilt beyond chance, {exactCiLeaks} of {exactCiBounds} ci bounds are datapoints; " +
            $"protected: {protectedHits} hits, {chanceHits} by chance, of {allValues} values; {leaked} of {published} figures equal a value, {chanceLeaked} against fresh cells");
        var key = $"Privacy:Key {CompApiFactory.PrivacyKey}";
        Assert.True(exactHits40 >= values40 / 2, $"the exact tier's percentiles rebuilt only {exactHits40} of {values40} values beyond chance");
        Assert.True(exactCiBounds > 0 && exactCiLeaks == exactCiBounds, $"{exactCiLeaks} of {exactCiBounds} exact ci bounds are datapoints");
        Assert.True(protectedHits - chanceHits <= allValues / 10,
            $"reconstruction beat chance on {protectedHits - chanceHits} of {allValues} values ({protectedHits} hits, {chanceHits} by chance); {key}");
        Assert.True(published > 0 && leaked - chanceLeaked <= Math.Max(3, published / 100),
            $"{leaked} of {published} published figures equal a planted value to the cent, {chanceLeaked} against fresh cells; {key}");
    }

    /// <summary>
    /// Differencing (d): two cuts that differ by one datapoint, a newcomer planted in the middle of
    /// 30 known values (15 well below, 15 well above), so an exact cut's median with the newcomer is
    /// its pay. Six ways to leave it out: date bounds a day apart (the newcomer is dated the first
    /// day of the next quarter; <c>to</c> is that day or the day before), a region vs its parent (the
    /// others in the Bay Area, the newcomer in California), a <c>source</c> filter on vs off,
    /// <c>verified</c> on vs off (only the newcomer is verified), an <c>equityBasis</c> filter on vs
    /// off (the others' equity is public RSUs, the newcomer's profit units) and a <c>packageType</c>
    /// filter on vs off (the others are new hires, the newcomer a retention package). 40 trials each,
    /// 240 in all; the guess is the p50 of the cut with the newcomer, chance the p50 of the cut
    /// without it. Pass (protected): the guess within 0.5% of the newcomer's pay beats chance in at
    /// most 1 in 5 of the 240 trials (48). A protected median lands within 0.5% of a given pay about
    /// one time in 15 at most (the release's bins are 15% wide); with no advantage the difference of
    /// the two counts (each about 16 of 240, standard deviation of the difference about 5.5) exceeds
    /// 48 with a probability far below 1 in 100,000. Any one way of differencing that worked would
    /// alone give about 40.
    /// </summary>
    [Fact]
    public async Task Differencing_by_dates_regions_source_verified_basis_or_package_type_gives_a_newcomers_pay_exactly_but_not_protected()
    {
        var ingest = await Factory.IngestClientAsync();
        var random = new Random(17);
        var quarter = new DateOnly(2022, 1, 1);
        var next = quarter.AddMonths(3);
        static Dictionary<string, object?> Same(Dictionary<string, object?> row) => row;
        var ways = new (string Name, Func<string, decimal, Dictionary<string, object?>> Newcomer, string Others, Func<Dictionary<string, object?>, Dictionary<string, object?>> Other, string With, string Without)[]
        {
            ("dates", (e, v) => Row(e, v, next), "us-ca", Same, $"&to={next:yyyy-MM-dd}", $"&to={next.AddDays(-1):yyyy-MM-dd}"),
            ("region", (e, v) => Row(e, v, quarter.AddDays(20), region: "us-ca"), "us-ca-sf-bay-area", Same, "&region=us-ca", "&region=us-ca-sf-bay-area"),
            ("source", (e, v) => Row(e, v, quarter.AddDays(20), source: "press_report"), "us-ca", Same, "", "&source=self_reported"),
            ("verified", (e, v) => Row(e, v, quarter.AddDays(20)).With("verified", true), "us-ca", Same, "", "&verified=false"),
            ("equityBasis", (e, v) => Row(e, v, quarter.AddDays(20)).With("equityBasis", "profit_units"), "us-ca", r => r.With("equityBasis", "public_rsu"), "", "&equityBasis=public_rsu"),
            ("packageType", (e, v) => Row(e, v, quarter.AddDays(20)).With("packageType", "retention"), "us-ca", Same, "", "&packageType=new_hire"),
        };

        var trials = new List<(string Way, string Employer, decimal Target, string With, string Without)>();
        foreach (var way in ways)
        {
            var rows = new List<Dictionary<string, object?>>();
            for (var t = 0; t < 40; t++)
            {
                var employer = $"diff-{way.Name.ToLowerInvariant()}-{t:00}";
                var target = Math.Round(140_000m + 20_000m * (decimal)random.NextDouble(), 2);
                rows.AddRange(Enumerable.Range(0, 15).Select(i => way.Other(Row(employer, 60_000m + 1_000m * i, quarter.AddDays(5 + i), way.Others))));
                rows.AddRange(Enumerable.Range(0, 15).Select(i => way.Other(Row(employer, 300_000m + 5_000m * i, quarter.AddDays(5 + i), way.Others))));
                rows.Add(way.Newcomer(employer, target));
                var basePath = $"/v1/bands?employer={employer}&component=base&percentiles=50&from={quarter:yyyy-MM-dd}";
                trials.Add((way.Name, employer, target, basePath + way.With, basePath + way.Without));
            }
            await ingest.PlantAsync(rows);
        }

        var exactHits = new Dictionary<string, int>();
        int protectedHits = 0, chanceHits = 0;
        foreach (var (way, _, target, with, without) in trials)
        {
            bool Near(JsonElement cell) => !cell.GetProperty("suppressed").GetBoolean()
                && cell.GetProperty("percentiles").GetProperty("p50") is { ValueKind: JsonValueKind.Number } p50
                && Math.Abs(p50.GetDecimal() - target) <= target * 0.005m;
            var exactWith = await CellAsync(Factory.CreateExactClient(), with);
            var exactWithout = await CellAsync(Factory.CreateExactClient(), without);
            Assert.Equal(exactWithout.GetProperty("n").GetInt32() + 1, exactWith.GetProperty("n").GetInt32());
            exactHits[way] = exactHits.GetValueOrDefault(way) + (Near(exactWith) && !Near(exactWithout) ? 1 : 0);
            protectedHits += Near(await CellAsync(Factory.CreateClient(), with)) ? 1 : 0;
            chanceHits += Near(await CellAsync(Factory.CreateClient(), without)) ? 1 : 0;
        }

        output.WriteLine($"exact: {string.Join(", ", exactHits.Select(h => $"{h.Key} {h.Value}/40"))}; protected: {protectedHits} of {trials.Count} within 0.5%, {chanceHits} by chance");
        Assert.Equal(new Dictionary<string, int> { ["dates"] = 40, ["region"] = 40, ["source"] = 40, ["verified"] = 40, ["equityBasis"] = 40, ["packageType"] = 40 }, exactHits);
        Assert.True(protectedHits - chanceHits <= trials.Count / 5,
            $"differencing found the newcomer within 0.5% in {protectedHits} of {trials.Count} trials ({chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
    }

    /// <summary>
    /// Differencing a company-weighted cut (issue 18): a newcomer employer with a single datapoint is
    /// its own median, so a cut with it and one without differ by exactly that value. Each trial is
    /// alone in its quarter: ten known employers in the Bay Area, two datapoints each, five with
    /// medians of 60k–64k and five of 300k–320k, and the newcomer in California (outside the Bay
    /// Area) paid 140k–160k. With <c>region=us-ca</c> the cut has 11 medians and its p50 is the
    /// sixth, the newcomer's pay; with <c>region=us-ca-sf-bay-area</c> it has 10 and its p50 is
    /// 182k, far from it. 60 trials; the guess is the p50 of the cut with the newcomer, chance the p50
    /// of the cut without it. Pass (protected): the guess within 0.5% of the newcomer's pay beats
    /// chance in at most 1 in 4 of the trials (15). A protected median lands within 0.5% of a given
    /// pay about one time in 15 at most (the release's bins are 15% wide), so with no advantage
    /// more than 15 hits of 60 has a probability near 1 in 1,000,000 (binomial, p = 1/15), whatever
    /// chance scored. Exact: every trial gives the newcomer's pay, and n (the employers) differs by one.
    /// </summary>
    [Fact]
    public async Task Differencing_company_weighted_cuts_gives_a_single_datapoint_employers_pay_exactly_but_not_protected()
    {
        var ingest = await Factory.IngestClientAsync();
        var random = new Random(18_4);
        var trials = new List<(decimal Target, string With, string Without)>();
        var rows = new List<Dictionary<string, object?>>();
        for (var t = 0; t < 60; t++)
        {
            var quarter = new DateOnly(2006, 1, 1).AddMonths(3 * t);
            for (var e = 0; e < 10; e++)
            {
                var median = e < 5 ? 60_000m + 1_000m * e : 300_000m + 5_000m * (e - 5);
                rows.Add(Row($"cwd-{t:00}-{e}", median - 500m, quarter.AddDays(5 + e), region: "us-ca-sf-bay-area"));
                rows.Add(Row($"cwd-{t:00}-{e}", median + 500m, quarter.AddDays(6 + e), region: "us-ca-sf-bay-area"));
            }
            var target = Math.Round(140_000m + 20_000m * (decimal)random.NextDouble(), 2);
            rows.Add(Row($"cwd-{t:00}-new", target, quarter.AddDays(30)));
            var basePath = $"/v1/bands?component=base&percentiles=50&weighting=company&from={quarter:yyyy-MM-dd}&to={quarter.AddMonths(3).AddDays(-1):yyyy-MM-dd}";
            trials.Add((target, basePath + "&region=us-ca", basePath + "&region=us-ca-sf-bay-area"));
        }
        await ingest.PlantAsync(rows);

        int exactHits = 0, protectedHits = 0, chanceHits = 0;
        foreach (var (target, with, without) in trials)
        {
            bool Near(JsonElement cell) => !cell.GetProperty("suppressed").GetBoolean()
                && cell.GetProperty("percentiles").GetProperty("p50") is { ValueKind: JsonValueKind.Number } p50
                && Math.Abs(p50.GetDecimal() - target) <= target * 0.005m;
            var exactWith = await CellAsync(Factory.CreateExactClient(), with);
            var exactWithout = await CellAsync(Factory.CreateExactClient(), without);
            Assert.Equal(11, exactWith.GetProperty("n").GetInt32());
            Assert.Equal(10, exactWithout.GetProperty("n").GetInt32());
            exactHits += Near(exactWith) && !Near(exactWithout) ? 1 : 0;
            protectedHits += Near(await CellAsync(Factory.CreateClient(), with)) ? 1 : 0;
            chanceHits += Near(await CellAsync(Factory.CreateClient(), without)) ? 1 : 0;
        }

        output.WriteLine($"exact: {exactHits}/{trials.Count}; protected: {protectedHits} of {trials.Count} within 0.5%, {chanceHits} by chance");
        Assert.Equal(trials.Count, exactHits);
        Assert.True(protectedHits - chanceHits <= trials.Count / 4,
            $"differencing company-weighted cuts found the newcomer within 0.5% in {protectedHits} of {trials.Count} trials ({chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
    }

    /// <summary>
    /// Differencing (d) by employer sets (issue 18): a market of eleven employers, ten holding 30
    /// known values (15 well below, 15 well above, three each) and a target employer holding one,
    /// its pay, in the middle, so an exact cut's median with the target is its pay. Three ways to
    /// leave the target out, each within the protected tier's rules for employer sets (at least 10
    /// employers, saved groups at least 3 apart): <c>excludeEmployer=target</c> on the list of the
    /// eleven; an <c>industry</c> filter the target lacks on that list (the ten are AI labs, the
    /// target SaaS); and two saved peer groups, the ten, and the ten with the target and two
    /// employers without data in the cut (which is how a group three apart still isolates one
    /// employer: the rule alone does not stop differencing, the noise must). 40 trials each, 120 in
    /// all, every trial with its own employers; the guess is the p50 of the cut with the target,
    /// chance the p50 of the cut without it. Pass (protected): the guess within 0.5% of the
    /// target's pay beats chance in at most 1 in 5 of the 120 trials (24). As in the test above, a
    /// protected median lands within 0.5% of a given pay about one time in 15 at most; with no
    /// advantage the difference of the two counts (each about 8 of 120, standard deviation of the
    /// difference about 4) exceeds 24 with a probability far below 1 in 100,000. Any one way of
    /// differencing that worked would alone give about 40. Exact: every trial of every way gives the
    /// target's pay.
    /// </summary>
    [Fact]
    public async Task Differencing_by_excluded_employers_attributes_or_peer_groups_gives_an_employers_pay_exactly_but_not_protected()
    {
        var ingest = await Factory.IngestClientAsync();
        var admin = Factory.CreateAdminClient();
        // A key with read only (protected answers) that saves peer groups of its own.
        var attacker = await Factory.KeyClientAsync("attacker-reader", "read");
        var random = new Random(18);
        var quarter = new DateOnly(2021, 1, 1);
        const string Cut = "/v1/bands?role=ml-engineer&region=us-ca&component=base&percentiles=50";

        var rows = new List<Dictionary<string, object?>>();
        var trials = new List<(string Way, decimal Target, string With, string Without)>();
        var setUps = new List<Func<Task>>();
        foreach (var way in new[] { "exclude", "industry", "peergroup" })
        {
            for (var t = 0; t < 40; t++)
            {
                var prefix = $"set-{way}-{t:00}";
                var market = Enumerable.Range(0, 10).Select(k => $"{prefix}-{k}").ToList();
                var target = $"{prefix}-target";
                var pay = Math.Round(140_000m + 20_000m * (decimal)random.NextDouble(), 2);
                // The 30 known values dealt round the ten employers, three each: every employer holds low and high ones.
                var known = Enumerable.Range(0, 15).Select(i => 60_000m + 1_000m * i).Concat(Enumerable.Range(0, 15).Select(i => 300_000m + 5_000m * i)).ToList();
                rows.AddRange(known.Select((v, i) => Row(market[i % 10], v, quarter.AddDays(5 + i))));
                rows.Add(Row(target, pay, quarter.AddDays(40)));
                var all = string.Join(',', market.Append(target));
                switch (way)
                {
                    case "exclude":
                        trials.Add((way, pay, $"{Cut}&employer={all}", $"{Cut}&employer={all}&excludeEmployer={target}"));
                        break;
                    case "industry":
                        foreach (var employer in market)
                            setUps.Add(() => PatchAsync(admin, employer, "ai-lab"));
                        setUps.Add(() => PatchAsync(admin, target, "saas"));
                        trials.Add((way, pay, $"{Cut}&employer={all}", $"{Cut}&employer={all}&industry=ai-lab"));
                        break;
                    default:
                        // Two employers with data only in another role: members of the group, nothing in the cut.
                        var padding = new[] { $"{prefix}-pad-1", $"{prefix}-pad-2" };
                        rows.AddRange(padding.Select(p => Row(p, 100_000m, quarter.AddDays(5)).With("role", "data-scientist")));
                        var index = trials.Count;
                        trials.Add((way, pay, "", ""));
                        setUps.Add(async () =>
                        {
                            var with = await PeerGroupAsync(attacker, $"with {prefix}", [.. market, target, .. padding]);
                            var without = await PeerGroupAsync(attacker, $"without {prefix}", market);
                            trials[index] = (way, pay, $"{Cut}&peerGroup={with}", $"{Cut}&peerGroup={without}");
                        });
                        break;
                }
            }
        }
        await ingest.PlantAsync(rows);
        foreach (var setUp in setUps)
            await setUp();

        var exactHits = new Dictionary<string, int>();
        int protectedHits = 0, chanceHits = 0;
        foreach (var (way, target, with, without) in trials)
        {
            bool Near(JsonElement cell) => !cell.GetProperty("suppressed").GetBoolean()
                && cell.GetProperty("percentiles").GetProperty("p50") is { ValueKind: JsonValueKind.Number } p50
                && Math.Abs(p50.GetDecimal() - target) <= target * 0.005m;
            var exactWith = await CellAsync(Factory.CreateExactClient(), with);
            var exactWithout = await CellAsync(Factory.CreateExactClient(), without);
            Assert.Equal((31, 11, 30, 10), (exactWith.GetProperty("n").GetInt32(), exactWith.GetProperty("employers").GetInt32(),
                exactWithout.GetProperty("n").GetInt32(), exactWithout.GetProperty("employers").GetInt32()));
            exactHits[way] = exactHits.GetValueOrDefault(way) + (Near(exactWith) && !Near(exactWithout) ? 1 : 0);
            protectedHits += Near(await CellAsync(attacker, with)) ? 1 : 0;
            chanceHits += Near(await CellAsync(attacker, without)) ? 1 : 0;
        }

        output.WriteLine($"exact: {string.Join(", ", exactHits.Select(h => $"{h.Key} {h.Value}/40"))}; protected: {protectedHits} of {trials.Count} within 0.5%, {chanceHits} by chance");
        Assert.Equal(new Dictionary<string, int> { ["exclude"] = 40, ["industry"] = 40, ["peergroup"] = 40 }, exactHits);
        Assert.True(protectedHits - chanceHits <= trials.Count / 5,
            $"differencing by employer sets found the target within 0.5% in {protectedHits} of {trials.Count} trials ({chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
    }

    private static async Task PatchAsync(HttpClient admin, string employer, string industry)
    {
        var response = await admin.PatchAsync($"/v1/employers/{employer}", JsonContent.Create(new { industry }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> PeerGroupAsync(HttpClient client, string name, IEnumerable<string> employers)
    {
        var response = await client.PostAsJsonAsync("/v1/peer-groups", new { name, employers });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"saving {name} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Equivalent requests (c) over the new keys, and the counts per equity basis. 20 single-employer
    /// cells of 40: 25 with public RSUs, 10 with profit units, 5 of unknown basis, all new hires.
    /// The exact tier gives the counts as they are. The protected tier reads them from the cell's
    /// noisy release: the same for every request reaching the same contents (another component,
    /// currency, a redundant package type filter, a packageType group, a compare segment), not the
    /// exact counts (each is off with probability 0.54 at ε = 1: at least 10 of the published ones
    /// differ unless that release is not noisy, a false failure far below 1 in a million) and none
    /// off by more than 15 (one is, with a probability about 1 in 100,000 for all of them; a basis
    /// the cell lacks counts as 0 there, and shows about one run in three somewhere among the 80
    /// empty ones, at 5 or a little more). A basis asked as a
    /// filter and as a group reads one release too.
    /// </summary>
    [Fact]
    public async Task Basis_and_package_cuts_read_one_release_and_counts_per_basis_come_from_it()
    {
        var ingest = await Factory.IngestClientAsync();
        var random = new Random(1717);
        var quarter = new DateOnly(2023, 1, 1);
        var employers = Enumerable.Range(0, 20).Select(i => $"mix-{i:00}").ToList();
        await ingest.PlantAsync(employers.SelectMany(employer => Enumerable.Range(0, 40).Select(i =>
        {
            var row = Row(employer, LogNormal(random, 150_000, 0.3), quarter.AddDays(i)).With("equityGrant", 200_000m);
            return i < 25 ? row.With("equityBasis", "public_rsu") : i < 35 ? row.With("equityBasis", "profit_units") : row;
        })).ToList());

        int published = 0, differ = 0, farthest = 0;
        var exactCounts = new Dictionary<string, int> { ["public_rsu"] = 25, ["profit_units"] = 10, ["unknown"] = 5 };
        foreach (var employer in employers)
        {
            var path = $"/v1/bands?employer={employer}&component=base";
            var exact = await CellAsync(Factory.CreateExactClient(), path);
            Assert.Equal("{\"public_rsu\":25,\"profit_units\":10,\"unknown\":5}", exact.GetProperty("equityBases").GetRawText());

            var anonymous = Factory.CreateClient();
            var cell = await CellAsync(anonymous, path);
            var bases = cell.TryGetProperty("equityBases", out var b) ? b.GetRawText() : "absent";
            foreach (var same in new[]
                     {
                         $"/v1/bands?employer={employer}&component=total", $"/v1/bands?employer={employer}&component=year3&currency=EUR",
                         $"/v1/bands?packageType=new_hire&component=base&employer={employer}",
                     })
            {
                var other = await CellAsync(anonymous, same);
                Assert.Equal(bases, other.TryGetProperty("equityBases", out var o) ? o.GetRawText() : "absent");
            }
            var grouped = Assert.Single(JsonDocument.Parse(await (await anonymous.GetAsync($"/v1/bands?employer={employer}&component=base&groupBy=packageType")).Content.ReadAsStringAsync())
                .RootElement.GetProperty("cells").EnumerateArray());
            Assert.Equal(cell.GetProperty("percentiles").GetRawText(), grouped.GetProperty("percentiles").GetRawText());
            Assert.Equal(bases, grouped.TryGetProperty("equityBases", out var g) ? g.GetRawText() : "absent");
            var compared = await JsonAsync(await anonymous.PostAsJsonAsync("/v1/bands/compare",
                new { component = "base", segments = new[] { new { label = "x", filter = new { employer } } } }));
            Assert.Equal(bases, compared.GetProperty("cells")[0].TryGetProperty("equityBases", out var c) ? c.GetRawText() : "absent");

            // A basis as a filter and as a group: one release.
            var filtered = await CellAsync(anonymous, $"/v1/bands?employer={employer}&component=base&equityBasis=public_rsu");
            Assert.False(filtered.TryGetProperty("equityBases", out _));
            var byBasis = JsonDocument.Parse(await (await anonymous.GetAsync($"/v1/bands?employer={employer}&component=base&groupBy=equityBasis")).Content.ReadAsStringAsync())
                .RootElement.GetProperty("cells").EnumerateArray().Single(x => x.GetProperty("group").GetProperty("equityBasis").GetString() == "public_rsu");
            Assert.Equal(filtered.GetProperty("percentiles").GetRawText(), byBasis.GetProperty("percentiles").GetRawText());

            if (bases == "absent")
                continue;
            foreach (var count in b.EnumerateObject())
            {
                published++;
                // A basis the cell lacks can show too (its noisy count reaches 5 with probability 0.5%).
                var off = Math.Abs(count.Value.GetInt32() - exactCounts.GetValueOrDefault(count.Name));
                differ += off > 0 ? 1 : 0;
                farthest = Math.Max(farthest, off);
            }
        }
        output.WriteLine($"protected counts per basis: {published} published, {differ} differ from the exact count, at most by {farthest}");
        Assert.True(published >= 30, $"only {published} protected counts per basis published");
        Assert.True(differ >= 10, $"only {differ} of {published} protected counts differ from the exact ones: is the release noisy? Privacy:Key {CompApiFactory.PrivacyKey}");
        Assert.True(farthest <= 15, $"a protected count is off by {farthest}; Privacy:Key {CompApiFactory.PrivacyKey}");
    }
}
