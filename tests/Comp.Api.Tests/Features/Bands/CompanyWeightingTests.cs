using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Comp.Statistics;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// <c>weighting=company</c> (issue 18): each employer's type-7 median of its values in the cell,
/// then type-7 percentiles over those medians; n and employers are the employer count, which the
/// datapoint thresholds and the employer minimum apply to, and no employer can dominate. Checked
/// against numbers worked by hand and against an oracle over employer medians computed here, in
/// both stores, on every band route, in both tiers, with its own ETags.
/// </summary>
public sealed class CompanyWeightingTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly May = new(2023, 5, 10);
    private const string Cut = "role=ml-engineer&component=base";

    private HttpClient client = null!;

    /// <summary>The band index (the default) or PostgreSQL (<c>BandIndex:Enabled=false</c>): both must answer alike.</summary>
    private void Use(bool index) =>
        client = index ? Factory.CreateExactClient() : Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false")).CreateExactClient();

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> BandAsync(HttpClient http, string query, string route = "/v1/bands") =>
        await OkAsync(await http.GetAsync($"{route}?{Cut}&{query}"), query);

    private Task<JsonElement> CellAsync(string query) => CellAsync(client, query);

    private static async Task<JsonElement> CellAsync(HttpClient http, string query) =>
        Assert.Single((await BandAsync(http, query)).GetProperty("cells").EnumerateArray());

    private static SeedRow Row(string employer, decimal salary, string region = "us-wa") => new(employer, "ml-engineer", "L4", region, "USD", May, salary);

    private static decimal? P(JsonElement cell, string key) =>
        cell.GetProperty("percentiles").GetProperty(key) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal() : null;

    private static string[] Reasons(JsonElement cell) => cell.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray();

    /// <summary>
    /// ML engineers in us-wa, six employers with 35 datapoints, one of whom holds 20:
    /// <list type="bullet">
    /// <item>cw-big: 100k, 101k, … 119k; median at h = 9.5 → 109,500.</item>
    /// <item>cw-a: 150k → 150,000. cw-b: 160k, 180k → 170,000. cw-c: 120k, 200k, 130k → 130,000.</item>
    /// <item>cw-d: 90k, 95k, 140k, 300k; median at h = 1.5 → 117,500. cw-e: 210k … 250k in 10k steps → 230,000.</item>
    /// </list>
    /// The medians in order: 109,500, 117,500, 130,000, 150,000, 170,000, 230,000 (n = 6). Type 7:
    /// p25 at h = 1.25 → 117,500 + 0.25 × 12,500 = 120,625; p50 at 2.5 → 140,000; p75 at 3.75 →
    /// 150,000 + 0.75 × 20,000 = 165,000; p10 and p90 need 10 (and 20) values: null.
    /// </summary>
    private static List<SeedRow> HandRows(string region = "us-wa") =>
    [
        .. Enumerable.Range(0, 20).Select(k => Row("cw-big", 100_000m + 1_000m * k, region)),
        Row("cw-a", 150_000m, region),
        Row("cw-b", 160_000m, region), Row("cw-b", 180_000m, region),
        Row("cw-c", 120_000m, region), Row("cw-c", 200_000m, region), Row("cw-c", 130_000m, region),
        Row("cw-d", 90_000m, region), Row("cw-d", 95_000m, region), Row("cw-d", 140_000m, region), Row("cw-d", 300_000m, region),
        .. Enumerable.Range(0, 5).Select(k => Row("cw-e", 210_000m + 10_000m * k, region)),
    ];

    private static void AssertHandFigures(JsonElement cell)
    {
        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(6, cell.GetProperty("n").GetInt32());
        Assert.Equal(6, cell.GetProperty("employers").GetInt32());
        Assert.Null(P(cell, "p10"));
        Assert.Equal(120_625.00m, P(cell, "p25"));
        Assert.Equal(140_000.00m, P(cell, "p50"));
        Assert.Equal(165_000.00m, P(cell, "p75"));
        Assert.Null(P(cell, "p90"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Company_weighting_takes_type_7_percentiles_over_employer_medians_worked_by_hand(bool index)
    {
        Use(index);
        await Factory.InsertAsync(HandRows());

        // Incumbent: cw-big holds 20 of 35 datapoints, so the cut is suppressed for its dominance.
        var incumbent = await BandAsync(client, "region=us-wa");
        var dominated = Assert.Single(incumbent.GetProperty("cells").EnumerateArray());
        Assert.Equal(["employer_dominance"], Reasons(dominated));
        Assert.Contains("; weighting: incumbent (every datapoint counts once)", incumbent.GetProperty("methodology").GetString());
        Assert.Equal(dominated.GetRawText(), (await CellAsync("region=us-wa&weighting=incumbent")).GetRawText());

        // Company: every employer weighs one median, so no employer dominates.
        var company = await BandAsync(client, "region=us-wa&weighting=company");
        AssertHandFigures(Assert.Single(company.GetProperty("cells").EnumerateArray()));
        Assert.Contains("; weighting: company (each employer with a datapoint in the cell contributes its type-7 median", company.GetProperty("methodology").GetString());

        // The same road on every band route: trend, compare, position, the chart.
        var trend = Assert.Single((await BandAsync(client, "region=us-wa&weighting=company&interval=year", "/v1/bands/trend")).GetProperty("cells").EnumerateArray());
        Assert.Equal("2023", trend.GetProperty("group").GetProperty("period").GetString());
        AssertHandFigures(trend);
        var compare = await OkAsync(await client.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base", weighting = "company",
            segments = new[] { new { label = "Washington", filter = new { role = "ml-engineer", region = "us-wa" } } },
        }), "compare");
        AssertHandFigures(Assert.Single(compare.GetProperty("cells").EnumerateArray()));
        var position = await BandAsync(client, "region=us-wa&weighting=company&amount=140000", "/v1/bands/position");
        Assert.Equal(50m, position.GetProperty("percentileRank").GetDecimal());
        Assert.Equal(6, position.GetProperty("cell").GetProperty("n").GetInt32());
        var chart = await client.GetAsync($"/v1/bands/chart.svg?{Cut}&region=us-wa&weighting=company");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Contains("n = 6", await chart.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Company_weighted_percentiles_and_intervals_equal_an_oracle_over_employer_medians(bool index)
    {
        Use(index);
        // 24 employers in us-wa: cw-o-0 with 400 datapoints, the others 1 to 30 each; each employer
        // pays around its own level (log-normal), so the medians differ from the datapoints' percentiles.
        var random = new Random(18_04);
        var rows = new List<SeedRow>();
        for (var e = 0; e < 24; e++)
        {
            var level = 150_000 * Math.Exp(0.4 * AttackScoring.Gaussian(random));
            var count = e == 0 ? 400 : 1 + random.Next(30);
            for (var k = 0; k < count; k++)
                rows.Add(Row($"cw-o-{e}", Math.Round((decimal)(level * Math.Exp(0.2 * AttackScoring.Gaussian(random))), 2)));
        }
        // Another region's datapoints of the same employers stay out of the cut.
        rows.AddRange(Enumerable.Range(0, 24).Select(e => Row($"cw-o-{e}", 1_000_000m, "us-or")));
        await Factory.InsertAsync(rows);

        var percentiles = Enumerable.Range(1, 19).Select(i => 5 * i).Prepend(1).Append(99).ToArray();
        var cell = await CellAsync($"region=us-wa&weighting=company&percentiles={string.Join(',', percentiles)}");

        // The oracle: each employer's type-7 median, then type-7 percentiles over the sorted medians, to the cent.
        static double Type7(IReadOnlyList<double> sorted, double fraction)
        {
            var h = fraction * (sorted.Count - 1);
            var lower = (int)Math.Floor(h);
            return lower + 1 < sorted.Count ? sorted[lower] + (sorted[lower + 1] - sorted[lower]) * (h - lower) : sorted[lower];
        }
        static decimal Cents(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);
        var medians = rows.Where(r => r.Region == "us-wa").GroupBy(r => r.Employer)
            .Select(g => Type7(g.Select(r => (double)r.BaseSalary).Order().ToList(), 0.5)).Order().ToList();
        Assert.Equal(24, medians.Count);

        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(24, cell.GetProperty("n").GetInt32());
        Assert.Equal(24, cell.GetProperty("employers").GetInt32());
        var (min, max) = (Cents(medians[0]), Cents(medians[^1]));
        var published = 0;
        foreach (var p in percentiles)
        {
            var expected = Cents(Type7(medians, p / 100.0));
            var figure = P(cell, $"p{p}");
            if (expected == min || expected == max)
            {
                Assert.True(figure is null, $"p{p} equals a smallest or largest median and must be withheld");
                continue;
            }
            Assert.True(figure is { } f && Math.Abs(f - expected) <= 0.01m, $"p{p} = {figure}, the medians' type 7 gives {expected}");
            published++;

            // The interval is the order-statistic one over the 24 medians, not over the datapoints.
            var (lowerRank, upperRank) = ConfidenceInterval.Ranks(24, p / 100.0);
            decimal? Bound(int? rank) => rank is { } r && Cents(medians[r - 1]) is var b && b != min && b != max ? b : null;
            var ci = cell.GetProperty("ci").GetProperty($"p{p}");
            Assert.Equal(Bound(lowerRank), ci.GetProperty("lower") is { ValueKind: JsonValueKind.Number } l ? l.GetDecimal() : null);
            Assert.Equal(Bound(upperRank), ci.GetProperty("upper") is { ValueKind: JsonValueKind.Number } u ? u.GetDecimal() : null);
        }
        Assert.True(published >= 19, $"only {published} percentiles checked");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Grouped_company_cells_take_the_medians_of_each_cells_own_datapoints(bool index)
    {
        Use(index);
        // us-wa: the hand case. us-or: cw-big again (50k, 60k, 1M → 60,000) and five others:
        // cw-f 100k → 100,000; cw-g 110k, 130k → 120,000; cw-h 140k, 150k, 160k → 150,000; cw-i 200k → 200,000;
        // cw-j 170k, 190k, 400k, 500k → 295,000 (h = 1.5). Medians 60k, 100k, 120k, 150k, 200k, 295k:
        // p25 at h = 1.25 → 105,000; p50 at 2.5 → 135,000; p75 at 3.75 → 150,000 + 0.75 × 50,000 = 187,500.
        await Factory.InsertAsync(
        [
            .. HandRows(),
            Row("cw-big", 50_000m, "us-or"), Row("cw-big", 60_000m, "us-or"), Row("cw-big", 1_000_000m, "us-or"),
            Row("cw-f", 100_000m, "us-or"),
            Row("cw-g", 110_000m, "us-or"), Row("cw-g", 130_000m, "us-or"),
            Row("cw-h", 140_000m, "us-or"), Row("cw-h", 150_000m, "us-or"), Row("cw-h", 160_000m, "us-or"),
            Row("cw-i", 200_000m, "us-or"),
            Row("cw-j", 170_000m, "us-or"), Row("cw-j", 190_000m, "us-or"), Row("cw-j", 400_000m, "us-or"), Row("cw-j", 500_000m, "us-or"),
        ]);

        var cells = (await BandAsync(client, "region=us&groupBy=region&weighting=company")).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["us-or", "us-wa"], cells.Select(c => c.GetProperty("group").GetProperty("region").GetString()));
        Assert.Equal(6, cells[0].GetProperty("n").GetInt32());
        Assert.Equal(105_000.00m, P(cells[0], "p25"));
        Assert.Equal(135_000.00m, P(cells[0], "p50"));
        Assert.Equal(187_500.00m, P(cells[0], "p75"));
        AssertHandFigures(cells[1]);

        // Per employer, a cell is one employer's one median: below the employer minimum, whatever its datapoints.
        var perEmployer = (await BandAsync(client, "region=us&groupBy=employer&weighting=company")).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(11, perEmployer.Count);
        Assert.All(perEmployer, c => Assert.Equal(["too_few_datapoints", "too_few_employers"], Reasons(c)));
    }

    [Fact]
    public async Task A_company_weighted_cell_needs_the_employer_minimum_whatever_its_datapoints()
    {
        Use(index: true);
        // Four employers of ten datapoints each in us-id: 40 datapoints, but four medians.
        await Factory.InsertAsync([.. HandRows(), .. Enumerable.Range(0, 40).Select(i => Row($"cw-s-{i % 4}", 100_000m + 1_000m * i, "us-id"))]);
        var four = await CellAsync("region=us-id&weighting=company");
        Assert.True(four.GetProperty("suppressed").GetBoolean());
        Assert.Equal(["too_few_datapoints", "too_few_employers"], Reasons(four));
        Assert.Equal(JsonValueKind.Null, four.GetProperty("n").ValueKind);
        Assert.Equal(JsonValueKind.Null, four.GetProperty("percentiles").ValueKind);
        // The same cut, incumbent: 40 datapoints, a quarter each (not more): only the employer minimum fails.
        Assert.Equal(["too_few_employers"], Reasons(await CellAsync("region=us-id")));

        // One employer named: its own band incumbent (20 datapoints), one median company-weighted, which is not a band.
        Assert.Equal(20, (await CellAsync("employer=cw-big&region=us-wa")).GetProperty("n").GetInt32());
        Assert.Equal(["too_few_datapoints", "too_few_employers"], Reasons(await CellAsync("employer=cw-big&region=us-wa&weighting=company")));

        // Raise the minimum to seven employers: the hand case's six medians pass the datapoint rule and fail only the employer one.
        var seven = Factory.WithWebHostBuilder(b => b.UseSetting("Disclosure:MinEmployers", "7")).CreateExactClient();
        Assert.Equal(["too_few_employers"], Reasons(await CellAsync(seven, "region=us-wa&weighting=company")));
    }

    [Fact]
    public async Task The_protected_tier_releases_the_medians_with_fixed_noise_of_their_own()
    {
        // 40 employers of 3 to 12 datapoints in us-wa, paid around 150k: the medians fill the grid's bins densely.
        var random = new Random(4018);
        var rows = new List<SeedRow>();
        for (var e = 0; e < 40; e++)
        {
            var level = 150_000 * Math.Exp(0.15 * AttackScoring.Gaussian(random));
            for (var k = 0; k < 3 + random.Next(10); k++)
                rows.Add(Row($"cw-p-{e}", Math.Round((decimal)(level * Math.Exp(0.1 * AttackScoring.Gaussian(random))), 2)));
        }
        await Factory.InsertAsync(rows);
        var anonymous = Factory.CreateClient();

        var exact = await CellAsync(Factory.CreateExactClient(), "region=us-wa&weighting=company");
        Assert.Equal(40, exact.GetProperty("n").GetInt32());
        var band = await BandAsync(anonymous, "region=us-wa&weighting=company");
        Assert.Equal("protected", band.GetProperty("disclosure").GetString());
        Assert.Contains("the noisy histogram released is of the employer medians", band.GetProperty("methodology").GetString());
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.False(cell.GetProperty("suppressed").GetBoolean(), cell.GetRawText());
        // n is the noisy count of medians, published once for n and employers alike.
        var n = cell.GetProperty("n").GetInt32();
        Assert.InRange(n, 30, 50);
        Assert.Equal(n, cell.GetProperty("employers").GetInt32());
        // Noisy, not the exact median of medians, but near it.
        var (noisy, truth) = (P(cell, "p50")!.Value, P(exact, "p50")!.Value);
        Assert.NotEqual(truth, noisy);
        Assert.InRange(noisy, truth * 0.9m, truth * 1.1m);

        // Asked again, or in another currency, the same draw: nothing to average away.
        Assert.Equal(cell.GetRawText(), (await CellAsync(anonymous, "region=us-wa&weighting=company")).GetRawText());
        Assert.Equal(cell.GetProperty("n").GetInt32(), (await CellAsync(anonymous, "region=us-wa&weighting=company&currency=EUR")).GetProperty("n").GetInt32());

        // The incumbent release of the same contents counts datapoints, not employers.
        var incumbent = await CellAsync(anonymous, "region=us-wa");
        Assert.InRange(incumbent.GetProperty("n").GetInt32(), rows.Count - 20, rows.Count + 20);
    }

    /// <summary>
    /// 20 employers of 100 datapoints: 2,000 rows, rounded up to 2,048, cost ⌈√2⌉ = 2 units; the
    /// company cell's n of 20 employers alone would cost 1. The protected charge is the incumbent
    /// release's noisy n, which stays within (1,024, 4,096] and so costs 2 units as well.
    /// </summary>
    [Fact]
    public async Task A_company_weighted_cell_charges_the_work_budget_by_its_datapoints_not_its_employers()
    {
        await Factory.InsertAsync(Enumerable.Range(0, 2_000).Select(i => Row($"cw-w-{i % 20}", 100_000m + 37m * i)).ToList());
        await using var instance = Factory.WithWebHostBuilder(b => b.UseSetting("RateLimits:KeyPerMinute", "1000"));
        foreach (var scopes in new[] { new[] { "read" }, new[] { "read", "exact" } })
        {
            var created = await JsonAsync(await Factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name = "weighting budget", scopes }));
            var http = instance.CreateClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("key").GetString());
            var response = await http.GetAsync($"/v1/bands?{Cut}&region=us-wa&weighting=company");
            var cell = Assert.Single((await OkAsync(response, string.Join("+", scopes))).GetProperty("cells").EnumerateArray());
            Assert.False(cell.GetProperty("suppressed").GetBoolean());
            Assert.InRange(cell.GetProperty("n").GetInt32(), 10, 30);
            Assert.Equal("\"default\";q=1000;w=60", response.Headers.GetValues("RateLimit-Policy").Single());
            Assert.StartsWith("\"default\";r=998;", response.Headers.GetValues("RateLimit").Single());
        }
    }

    [Fact]
    public async Task An_unknown_weighting_is_a_400_naming_weighting_on_every_band_route()
    {
        var http = Factory.CreateExactClient();
        foreach (var route in new[] { "/v1/bands", "/v1/bands/trend", "/v1/bands/position?amount=100000", "/v1/bands/chart.svg" })
        {
            var response = await http.GetAsync(route + (route.Contains('?') ? "&" : "?") + "weighting=bogus");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var message = Assert.Single((await JsonAsync(response)).GetProperty("errors").GetProperty("weighting").EnumerateArray()).GetString();
            Assert.Equal("Unknown weighting 'bogus'. Must be one of: incumbent, company (default incumbent).", message);
        }
        foreach (var route in new[] { "/v1/bands/compare", "/v1/bands/chart.svg" })
        {
            var response = await http.PostAsJsonAsync(route, new
            {
                weighting = "Company",
                segments = new[] { new { label = "all", filter = new { role = "ml-engineer" } } },
            });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Unknown weighting 'Company'", (await JsonAsync(response)).GetProperty("errors").GetProperty("weighting")[0].GetString());
        }
    }

    [Fact]
    public async Task Each_weighting_has_its_own_etag_and_cached_answer()
    {
        await Factory.InsertAsync(HandRows());
        var http = Factory.CreateExactClient();
        var path = $"/v1/bands?{Cut}&region=us-wa";

        // The incumbent answer twice: the second is the answer cache's, under the same tag.
        var incumbent = await http.GetAsync(path);
        var again = await http.GetAsync(path);
        Assert.Equal(incumbent.Headers.ETag!.Tag, again.Headers.ETag!.Tag);
        Assert.Equal(await incumbent.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());

        // The company answer has its own tag: the incumbent one neither matches it (no 304) nor serves it from the cache.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path + "&weighting=company");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", incumbent.Headers.ETag.Tag);
        var company = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.OK, company.StatusCode);
        Assert.NotEqual(incumbent.Headers.ETag.Tag, company.Headers.ETag!.Tag);
        AssertHandFigures(Assert.Single((await JsonAsync(company)).GetProperty("cells").EnumerateArray()));
        Assert.Equal(["employer_dominance"], Reasons(Assert.Single((await JsonAsync(await http.GetAsync(path))).GetProperty("cells").EnumerateArray())));

        // Its own tag answers 304 to itself; in a compare body, the weighting changes the tag too.
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, path + "&weighting=company");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", company.Headers.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(revalidate)).StatusCode);
        object Body(string weighting) => new { component = "base", weighting, segments = new[] { new { label = "wa", filter = new { role = "ml-engineer", region = "us-wa" } } } };
        var compareIncumbent = await http.PostAsJsonAsync("/v1/bands/compare", Body("incumbent"));
        var compareCompany = await http.PostAsJsonAsync("/v1/bands/compare", Body("company"));
        Assert.NotEqual(compareIncumbent.Headers.ETag!.Tag, compareCompany.Headers.ETag!.Tag);
        AssertHandFigures(Assert.Single((await JsonAsync(compareCompany)).GetProperty("cells").EnumerateArray()));
    }
}
