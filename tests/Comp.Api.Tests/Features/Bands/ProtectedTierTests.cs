using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Auth;
using Comp.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// The two disclosure tiers: exact figures for keys with <c>exact</c> (admin implies it),
/// protected figures (read from a differentially private release of each cell) for everyone else;
/// and the first attacks, which break the exact tier and must not break the protected one.
/// </summary>
public sealed class ProtectedTierTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);
    private static readonly string Every = string.Join(',', Enumerable.Range(1, 99));

    private async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text} (Privacy:Key {CompApiFactory.PrivacyKey})");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Ten log-normal base salaries (median 150k, σ 0.3 of ln), to the cent, from <paramref name="random"/>.</summary>
    private static decimal[] Salaries(Random random, int n = 10) => Enumerable.Range(0, n)
        .Select(_ => Math.Round((decimal)(150_000 * Math.Exp(0.3 * AttackScoring.Gaussian(random))), 2))
        .Order().ToArray();

    private HttpClient? ingest;

    /// <summary>Plants rows as the attacker does: an ingest key, through the batch route.</summary>
    private async Task PlantAsync(IEnumerable<SeedRow> rows) =>
        await (ingest ??= await Factory.IngestClientAsync()).PlantAsync(rows.Select(Planting.Body));

    private Task PlantAsync(string employer, IEnumerable<decimal> salaries, string region = "us-ca") =>
        PlantAsync(salaries.Select(s => new SeedRow(employer, "ml-engineer", "L4", region, "USD", March, s)));

    private async Task<HttpClient> KeyClientAsync(params string[] scopes)
    {
        var created = await JsonAsync(await Factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name = "tier test", scopes }));
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeySecrets.HeaderName, created.GetProperty("key").GetString());
        return client;
    }

    [Fact]
    public async Task Anonymous_and_read_keys_get_protected_figures_exact_and_admin_keys_exact_ones()
    {
        await PlantAsync("acme", Salaries(new Random(1), 40));
        const string path = "/v1/bands?employer=acme&component=base";

        foreach (var (client, tier) in new[]
                 {
                     (Factory.CreateClient(), "protected"), (await KeyClientAsync(Scopes.Read), "protected"),
                     (await KeyClientAsync(Scopes.Exact), "exact"), (Factory.CreateAdminClient(), "exact"),
                 })
        {
            var band = await GetAsync(client, path);
            Assert.Equal(tier, band.GetProperty("disclosure").GetString());
            Assert.Equal(tier == "protected", band.GetProperty("methodology").GetString()!.StartsWith("protected: differential privacy", StringComparison.Ordinal));
        }

        // The tiers' answers are different representations: their ETags differ.
        var anonymous = await Factory.CreateClient().GetAsync(path);
        var exact = await Factory.CreateAdminClient().GetAsync(path);
        Assert.NotEqual(anonymous.Headers.ETag!.Tag, exact.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Equivalent_requests_read_the_same_release_instead_of_drawing_new_noise()
    {
        await PlantAsync("acme", Salaries(new Random(2), 60));
        var client = Factory.CreateClient();
        string P50(JsonElement cell) => cell.GetProperty("percentiles").GetProperty("p50").GetRawText();

        var first = Assert.Single((await GetAsync(client, "/v1/bands?employer=acme&component=base")).GetProperty("cells").EnumerateArray());
        Assert.False(first.GetProperty("suppressed").GetBoolean(), first.ToString());
        var expected = first.ToString();

        // A repeat, reordered parameters, a redundant filter, date bounds inside the same quarter.
        foreach (var path in new[]
                 {
                     "/v1/bands?employer=acme&component=base",
                     "/v1/bands?component=base&employer=acme",
                     "/v1/bands?component=base&employer=acme&role=ml-engineer&region=us",
                     "/v1/bands?component=base&employer=acme&from=2024-02-15&to=2024-03-20",
                 })
            Assert.Equal(expected, Assert.Single((await GetAsync(client, path)).GetProperty("cells").EnumerateArray()).ToString());

        // The same contents as a group, a compare segment and a trend period: the same figures.
        var grouped = Assert.Single((await GetAsync(client, "/v1/bands?component=base&groupBy=employer")).GetProperty("cells").EnumerateArray());
        Assert.Equal(P50(first), P50(grouped));
        var trend = Assert.Single((await GetAsync(client, "/v1/bands/trend?employer=acme&component=base")).GetProperty("cells").EnumerateArray());
        Assert.Equal(P50(first), P50(trend));
        var compared = await JsonAsync(await client.PostAsJsonAsync("/v1/bands/compare",
            new { component = "base", segments = new[] { new { label = "acme", filter = new { employer = "acme" } } } }));
        Assert.Equal(P50(first), P50(Assert.Single(compared.GetProperty("cells").EnumerateArray())));

        // Another currency is the same release at that currency's latest rate, the one rate named.
        var eur = await GetAsync(client, "/v1/bands?employer=acme&component=base&currency=EUR");
        var rate = Assert.Single(eur.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray());
        var usdPerEur = rate.GetProperty("usdPerUnit").GetDouble();
        var usd = first.GetProperty("percentiles").GetProperty("p50").GetDecimal();
        var inEur = Assert.Single(eur.GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal();
        Assert.InRange(inEur, Math.Round(usd / (decimal)usdPerEur, 2) - 0.02m, Math.Round(usd / (decimal)usdPerEur, 2) + 0.02m);

        // Aging would need a release per agedTo: the protected tier refuses it, naming the parameter.
        var aged = await client.GetAsync("/v1/bands?employer=acme&component=base&agedTo=2025-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, aged.StatusCode);
        Assert.True((await JsonAsync(aged)).GetProperty("errors").TryGetProperty("agedTo", out _));
    }

    /// <summary>
    /// The attack: type 7 is linear between neighbouring order statistics, so two published
    /// percentiles inside one rank interval give both its ends. Run on 20 planted single-employer
    /// cells of 10 values each with every percentile asked for; scored against chance (the same
    /// guesses against fresh cells of the same distribution).
    /// </summary>
    [Fact]
    public async Task Percentile_lists_rebuild_every_value_of_an_exact_cell_and_no_more_than_chance_of_a_protected_one()
    {
        var random = new Random(20261206);
        var cells = Enumerable.Range(0, 20).Select(i => (Employer: $"victim-{i:00}", Values: Salaries(random))).ToList();
        foreach (var (employer, values) in cells)
            await PlantAsync(employer, values);

        int exactHits = 0, protectedHits = 0, chanceHits = 0, leaked = 0;
        foreach (var (employer, values) in cells)
        {
            var path = $"/v1/bands?employer={employer}&component=base&percentiles={Every}";
            var exact = AttackScoring.Rebuild(Assert.Single((await GetAsync(Factory.CreateAdminClient(), path)).GetProperty("cells").EnumerateArray()), values.Length);
            exactHits += AttackScoring.Hits(exact, values);

            var cell = Assert.Single((await GetAsync(Factory.CreateClient(), path)).GetProperty("cells").EnumerateArray());
            var guesses = AttackScoring.Rebuild(cell, values.Length);
            protectedHits += AttackScoring.Hits(guesses, values);
            chanceHits += AttackScoring.Hits(guesses, Salaries(random));
            leaked += AttackScoring.Figures(cell).Count(v => values.Contains(v));
        }

        output.WriteLine($"reconstruction: exact {exactHits} of 200; protected {protectedHits}, {chanceHits} by chance; {leaked} figures equal a value");
        Assert.Equal(200, exactHits);
        Assert.True(protectedHits - chanceHits <= 20,
            $"The attack beat chance on {protectedHits - chanceHits} of 200 values ({protectedHits} hits, {chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
        Assert.True(leaked <= 2, $"{leaked} published figures equal a planted value to the cent; Privacy:Key {CompApiFactory.PrivacyKey}");
    }

    /// <summary>
    /// Extremes: with 20 or more datapoints the tails may be asked for, and p1/p2 (p98/p99) give the
    /// smallest (largest) value of an exact cell. 100 planted cells of 20: the 200 extremes, scored
    /// against chance as above. Pass: at most 1 in 10 beyond chance (20 of 200); with no advantage
    /// the two counts are draws of one binomial and their difference (standard deviation at most 10,
    /// about 3 at the hit rates seen) exceeds 20 far less often than 1 in 1,000.
    /// </summary>
    [Fact]
    public async Task The_smallest_and_largest_datapoints_come_out_of_an_exact_cell_and_not_out_of_a_protected_one()
    {
        var random = new Random(7);
        var cells = Enumerable.Range(0, 100).Select(i => (Employer: $"extreme-{i:000}", Values: Salaries(random, 20))).ToList();
        await PlantAsync(cells.SelectMany(c => c.Values.Select(s => new SeedRow(c.Employer, "ml-engineer", "L4", "us-ca", "USD", March, s))));
        int exactHits = 0, protectedHits = 0, chanceHits = 0;
        foreach (var (employer, values) in cells)
        {
            var path = $"/v1/bands?employer={employer}&component=base&percentiles=1,2,98,99";
            bool[] Extremes(decimal?[] guesses, decimal[] truth) =>
                [AttackScoring.Hits([guesses[0]], [truth[0]]) == 1, AttackScoring.Hits([guesses[^1]], [truth[^1]]) == 1];
            exactHits += Extremes(AttackScoring.Rebuild(Assert.Single((await GetAsync(Factory.CreateAdminClient(), path)).GetProperty("cells").EnumerateArray()), 20), values).Count(h => h);
            var guesses = AttackScoring.Rebuild(Assert.Single((await GetAsync(Factory.CreateClient(), path)).GetProperty("cells").EnumerateArray()), 20);
            protectedHits += Extremes(guesses, values).Count(h => h);
            chanceHits += Extremes(guesses, Salaries(random, 20)).Count(h => h);
        }

        output.WriteLine($"extremes: exact {exactHits} of 200; protected {protectedHits}, {chanceHits} by chance");
        Assert.Equal(200, exactHits);
        Assert.True(protectedHits - chanceHits <= 20,
            $"The extremes were hit {protectedHits} times of 200 ({chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
    }

    /// <summary>
    /// Averaging distinct cells: 52 cuts that all hold one target and differ in their other members
    /// (from = each of 52 quarters; each quarter has one planted value well below the target and
    /// one well above, so every exact cut's median is the target). Each cut's contents differ, so
    /// each is its own release with its own noise; the attacker averages the 52 medians. 50 trials,
    /// scored against chance: the same average over the same cuts without the target (to = the
    /// quarter before the target's). Pass: at most 1 in 5 trials beyond chance (10 of 50); were an
    /// average to land within 0.5% of a given pay as often as one time in 15, a difference above 10
    /// would still come less often than 1 in 1,000.
    /// </summary>
    [Fact]
    public async Task Averaging_fifty_distinct_cuts_around_a_target_finds_it_in_the_exact_tier_only()
    {
        var random = new Random(13);
        var quarters = Enumerable.Range(0, 52).Select(q => new DateOnly(2011, 4, 1).AddMonths(3 * q)).ToList(); // 2011-Q2 … 2024-Q1
        var trials = new List<(string Employer, decimal Target)>();
        var planted = new List<SeedRow>();
        for (var t = 0; t < 50; t++)
        {
            var employer = $"average-{t:00}";
            var target = Math.Round(140_000m + 20_000m * (decimal)random.NextDouble(), 2);
            var rows = quarters.SelectMany((q, i) => new[]
                {
                    new SeedRow(employer, "ml-engineer", "L4", "us-ca", "USD", q.AddDays(1), 60_000m + 100m * i),
                    new SeedRow(employer, "ml-engineer", "L4", "us-ca", "USD", q.AddDays(1), 400_000m + 1_000m * i),
                })
                .Append(new SeedRow(employer, "ml-engineer", "L4", "us-ca", "USD", new DateOnly(2024, 5, 15), target));
            planted.AddRange(rows);
            trials.Add((employer, target));
        }
        await PlantAsync(planted);

        async Task<decimal?> AverageMedianAsync(HttpClient client, string employer, string to)
        {
            var medians = new List<decimal>();
            foreach (var from in quarters)
            {
                var cell = Assert.Single((await GetAsync(client, $"/v1/bands?employer={employer}&component=base&percentiles=50&from={from:yyyy-MM-dd}&to={to}"))
                    .GetProperty("cells").EnumerateArray());
                if (!cell.GetProperty("suppressed").GetBoolean() && cell.GetProperty("percentiles").GetProperty("p50") is { ValueKind: JsonValueKind.Number } p50)
                    medians.Add(p50.GetDecimal());
            }
            return medians.Count == 0 ? null : medians.Average();
        }

        int exactHits = 0, protectedHits = 0, chanceHits = 0;
        foreach (var (employer, target) in trials)
        {
            bool Near(decimal? guess) => guess is { } g && Math.Abs(g - target) <= target * 0.005m;
            exactHits += Near(await AverageMedianAsync(Factory.CreateAdminClient(), employer, "2024-06-30")) ? 1 : 0;
            protectedHits += Near(await AverageMedianAsync(Factory.CreateClient(), employer, "2024-06-30")) ? 1 : 0;
            chanceHits += Near(await AverageMedianAsync(Factory.CreateClient(), employer, "2024-03-31")) ? 1 : 0;
        }

        output.WriteLine($"averaging: exact {exactHits} of 50; protected {protectedHits}, {chanceHits} by chance");
        Assert.Equal(50, exactHits);
        Assert.True(protectedHits - chanceHits <= 10,
            $"Averaging 52 cuts found the target within 0.5% in {protectedHits} of 50 trials ({chanceHits} by chance); Privacy:Key {CompApiFactory.PrivacyKey}");
    }
}
