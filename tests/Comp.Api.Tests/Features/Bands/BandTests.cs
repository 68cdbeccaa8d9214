using System.Net;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Bands;

public sealed class BandTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);

    /// <summary>Ten base salaries 100k, 110k, …, 190k at one employer.</summary>
    private static IEnumerable<SeedRow> TenSalaries(string employer = "acme", string region = "us-ca-sf-bay-area") =>
        Enumerable.Range(0, 10).Select(i => new SeedRow(employer, "ml-engineer", "L4", region, "USD", March, 100_000m + 10_000m * i));

    private async Task<JsonElement> BandsAsync(string query)
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands?" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/bands?{query} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_single_employer_cell_gives_type_7_percentiles_rounded_to_cents()
    {
        await Factory.InsertAsync(TenSalaries().ToList());

        var band = await BandsAsync("employer=acme&component=base");

        // Type 7 by hand: h = 9p; p10 = 100k + 0.9·10k, p25 = 120k + 0.25·10k, p50 = 145k, p75 = 160k + 0.75·10k, p90 = 180k + 0.1·10k.
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.Equal(10, cell.GetProperty("n").GetInt32());
        Assert.Equal(1, cell.GetProperty("employers").GetInt32());
        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        var p = cell.GetProperty("percentiles");
        Assert.Equal(109_000.00m, p.GetProperty("p10").GetDecimal());
        Assert.Equal(122_500.00m, p.GetProperty("p25").GetDecimal());
        Assert.Equal(145_000.00m, p.GetProperty("p50").GetDecimal());
        Assert.Equal(167_500.00m, p.GetProperty("p75").GetDecimal());
        Assert.Equal(181_000.00m, p.GetProperty("p90").GetDecimal());
        Assert.Equal("base", band.GetProperty("component").GetString());
        Assert.Equal("USD", band.GetProperty("currency").GetString());
        Assert.Equal(JsonValueKind.Null, band.GetProperty("agedTo").ValueKind);
        Assert.StartsWith("percentile_cont (Hyndman-Fan type 7)", band.GetProperty("methodology").GetString());
    }

    [Fact]
    public async Task Requested_percentiles_are_published_only_where_the_cell_is_large_enough()
    {
        await Factory.InsertAsync(TenSalaries().ToList());

        var p = Assert.Single((await BandsAsync("employer=acme&component=base&percentiles=5,24,25,33,75,76,95")).GetProperty("cells").EnumerateArray())
            .GetProperty("percentiles");

        // n = 10: p24/p76 need 10 (published), p5/p95 need 20 (null); p33: h = 2.97 → 120k + 0.97·10k.
        Assert.Equal(JsonValueKind.Null, p.GetProperty("p5").ValueKind);
        Assert.Equal(121_600.00m, p.GetProperty("p24").GetDecimal());
        Assert.Equal(129_700.00m, p.GetProperty("p33").GetDecimal());
        Assert.Equal(168_400.00m, p.GetProperty("p76").GetDecimal());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("p95").ValueKind);
    }

    [Fact]
    public async Task A_cell_below_five_datapoints_is_suppressed_without_figures()
    {
        await Factory.InsertAsync(TenSalaries().Take(4).ToList());

        var cell = Assert.Single((await BandsAsync("employer=acme")).GetProperty("cells").EnumerateArray());

        Assert.True(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(["too_few_datapoints"], cell.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(JsonValueKind.Null, cell.GetProperty("n").ValueKind);
        Assert.Equal(JsonValueKind.Null, cell.GetProperty("employers").ValueKind);
        Assert.Equal(JsonValueKind.Null, cell.GetProperty("percentiles").ValueKind);
    }

    [Fact]
    public async Task A_cell_of_five_to_nine_datapoints_publishes_only_the_quartiles_and_median()
    {
        await Factory.InsertAsync(TenSalaries().Take(5).ToList());

        var cell = Assert.Single((await BandsAsync("employer=acme&component=base")).GetProperty("cells").EnumerateArray());

        Assert.Equal(5, cell.GetProperty("n").GetInt32());
        var p = cell.GetProperty("percentiles");
        Assert.Equal(JsonValueKind.Null, p.GetProperty("p10").ValueKind);
        Assert.Equal(110_000.00m, p.GetProperty("p25").GetDecimal());
        Assert.Equal(120_000.00m, p.GetProperty("p50").GetDecimal());
        Assert.Equal(130_000.00m, p.GetProperty("p75").GetDecimal());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("p90").ValueKind);
    }

    [Fact]
    public async Task A_multi_employer_cell_needs_five_employers()
    {
        // Four employers with 5 datapoints each: 25% apiece, so only the employer count fails.
        await Factory.InsertAsync(new[] { "a", "b", "c", "d" }.SelectMany(e => TenSalaries(e).Take(5)).ToList());

        var cell = Assert.Single((await BandsAsync("role=ml-engineer")).GetProperty("cells").EnumerateArray());

        Assert.True(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(["too_few_employers"], cell.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task No_employer_may_hold_more_than_a_quarter_of_a_multi_employer_cell()
    {
        // 20 datapoints: "big" has 6 (30%), four others have 3.5 on average.
        var rows = TenSalaries("big").Take(6).ToList();
        foreach (var (employer, count) in new[] { ("b", 4), ("c", 4), ("d", 3), ("e", 3) })
            rows.AddRange(TenSalaries(employer).Take(count));
        await Factory.InsertAsync(rows);

        var dominated = Assert.Single((await BandsAsync("role=ml-engineer")).GetProperty("cells").EnumerateArray());
        Assert.Equal(["employer_dominance"], dominated.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        // The same rows grouped by employer, or filtered to one, are single-employer cells: the rule does not apply.
        var big = Assert.Single((await BandsAsync("employer=big")).GetProperty("cells").EnumerateArray());
        Assert.False(big.GetProperty("suppressed").GetBoolean());
        var grouped = (await BandsAsync("role=ml-engineer&groupBy=employer")).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["b", "big", "c", "d", "e"], grouped.Select(c => c.GetProperty("group").GetProperty("employer").GetString()));
        Assert.Equal([true, false, true, true, true], grouped.Select(c => c.GetProperty("suppressed").GetBoolean()));
    }

    [Fact]
    public async Task Exactly_a_quarter_from_one_employer_is_allowed()
    {
        var rows = new[] { "a", "b", "c" }.SelectMany(e => TenSalaries(e).Take(5)).ToList();
        rows.AddRange(new[] { "d", "e", "f", "g", "h" }.SelectMany(e => TenSalaries(e).Take(1)));
        await Factory.InsertAsync(rows); // 20 datapoints, a/b/c hold 5 each = 25%

        var cell = Assert.Single((await BandsAsync("role=ml-engineer&component=base")).GetProperty("cells").EnumerateArray());

        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(20, cell.GetProperty("n").GetInt32());
        Assert.Equal(8, cell.GetProperty("employers").GetInt32());
    }

    [Fact]
    public async Task A_percentile_that_would_equal_the_smallest_value_is_withheld()
    {
        // Six of ten at exactly 100k: p25 (h = 2.25) is 100k, the cell's minimum.
        await Factory.InsertAsync(TenSalaries().Select((r, i) => i < 6 ? r with { BaseSalary = 100_000m } : r).ToList());

        var p = Assert.Single((await BandsAsync("employer=acme&component=base")).GetProperty("cells").EnumerateArray()).GetProperty("percentiles");

        Assert.Equal(JsonValueKind.Null, p.GetProperty("p25").ValueKind);
        Assert.Equal(JsonValueKind.Null, p.GetProperty("p50").ValueKind);
        Assert.Equal(167_500.00m, p.GetProperty("p75").GetDecimal());
    }

    [Fact]
    public async Task A_region_matches_itself_and_all_its_descendants_only()
    {
        await Factory.InsertAsync(TenSalaries("acme", "us-ca-sf-bay-area").Take(5)
            .Concat(TenSalaries("acme", "us-ny").Take(3))
            .Concat(TenSalaries("acme", "ca-on-toronto").Take(7)).ToList());

        int? N(JsonElement band) => Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("n") is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : null;
        Assert.Equal(5, N(await BandsAsync("employer=acme&region=us-ca")));
        Assert.Equal(8, N(await BandsAsync("employer=acme&region=us")));
        Assert.Equal(7, N(await BandsAsync("employer=acme&region=ca")));
        Assert.Equal(12, N(await BandsAsync("employer=acme&region=us-ca,ca-on")));

        var byRegion = (await BandsAsync("employer=acme&groupBy=region")).GetProperty("cells").EnumerateArray()
            .Select(c => (c.GetProperty("group").GetProperty("region").GetString(), c.GetProperty("suppressed").GetBoolean())).ToList();
        Assert.Equal([("ca-on-toronto", false), ("us-ca-sf-bay-area", false), ("us-ny", true)], byRegion);
    }

    [Fact]
    public async Task Components_annualise_grants_and_count_only_datapoints_that_have_them()
    {
        // Five packages: base 100k..140k; every other one has a 400k equity grant over 4 years and
        // a 60k retention grant over 3; all have a 10k sign-on.
        var rows = Enumerable.Range(0, 6).Select(i => new SeedRow("acme", "ml-engineer", "L4", "us-ca", "USD", March, 100_000m + 10_000m * i,
            TargetBonus: 5_000m, SignOnBonus: 10_000m,
            EquityGrant: i % 2 == 0 ? 400_000m : null, RetentionGrant: i % 2 == 0 ? 60_000m : null, RetentionVestingYears: 3)).ToList();
        await Factory.InsertAsync(rows);

        async Task<JsonElement> Cell(string component) =>
            Assert.Single((await BandsAsync($"employer=acme&component={component}&percentiles=50")).GetProperty("cells").EnumerateArray());

        // Only three packages carry equity: a band over equity has n = 3 → suppressed.
        Assert.True((await Cell("equity")).GetProperty("suppressed").GetBoolean());
        // base + bonus + equity/4 + retention/3 per package: 225k, 115k, 245k, 135k, 265k, 155k; median (155k + 225k) / 2.
        var totals = new[] { 225_000m, 115_000m, 245_000m, 135_000m, 265_000m, 155_000m }.Order().ToArray();
        Assert.Equal((totals[2] + totals[3]) / 2, (await Cell("total")).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal((totals[2] + totals[3]) / 2 + 10_000m, (await Cell("year1")).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(125_000.00m, (await Cell("base")).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(6, (await Cell("signon")).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Filters_on_dates_source_and_verification_are_inclusive_and_combine()
    {
        var rows = Enumerable.Range(0, 12).Select(i => new SeedRow("acme", "data-scientist", "L3", "us-ny", "USD",
            new DateOnly(2024, 1 + i, 1), 90_000m + 1_000m * i, Source: i < 6 ? "offer_letter" : "self_reported", Verified: i % 2 == 0)).ToList();
        await Factory.InsertAsync(rows);

        int N(JsonElement band) => Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("n").GetInt32();
        Assert.Equal(6, N(await BandsAsync("employer=acme&from=2024-03-01&to=2024-08-01")));
        Assert.Equal(6, N(await BandsAsync("employer=acme&source=offer_letter")));
        Assert.Equal(6, N(await BandsAsync("employer=acme&verified=true")));
        Assert.Equal(12, N(await BandsAsync("employer=acme&source=offer_letter,self_reported")));
        Assert.True(Assert.Single((await BandsAsync("employer=acme&source=offer_letter&verified=true")).GetProperty("cells").EnumerateArray()).GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public async Task A_band_in_another_currency_converts_every_value_and_names_the_rates()
    {
        // Seeded EUR rates: 2023-01-01 → 1.07309 USD, 2024-04-01 → 1.0724 USD (latest on or before each date).
        await Factory.InsertAsync(TenSalaries().Take(6).ToList());

        var eur = await BandsAsync("employer=acme&currency=EUR&component=base&percentiles=50");

        // March 2024 values use the 2023-01-01 EUR rate: median 125,000 USD / 1.07309.
        var cell = Assert.Single(eur.GetProperty("cells").EnumerateArray());
        Assert.Equal(6, cell.GetProperty("n").GetInt32());
        Assert.Equal(Math.Round(125_000m / 1.07309m, 2), cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
        var rate = Assert.Single(eur.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray());
        Assert.Equal("EUR", rate.GetProperty("currency").GetString());
        Assert.Equal("2023-01-01", rate.GetProperty("date").GetString());
        Assert.Equal(1.07309, rate.GetProperty("usdPerUnit").GetDouble());
    }

    [Fact]
    public async Task An_empty_cut_is_one_suppressed_cell_and_an_empty_group_is_absent()
    {
        await Factory.InsertAsync(TenSalaries().ToList());

        var empty = Assert.Single((await BandsAsync("role=designer")).GetProperty("cells").EnumerateArray());
        Assert.True(empty.GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("n").ValueKind);
        Assert.Empty((await BandsAsync("role=designer&groupBy=level")).GetProperty("cells").EnumerateArray());
    }

    [Fact]
    public async Task Grouping_by_two_keys_orders_cells_by_group()
    {
        var rows = TenSalaries("acme").Select((r, i) => r with { Level = i < 5 ? "L5" : "L3" })
            .Concat(TenSalaries("zeta").Select((r, i) => r with { Level = i < 5 ? "L4" : "L2" })).ToList();
        await Factory.InsertAsync(rows);

        var groups = (await BandsAsync("groupBy=employer,level")).GetProperty("cells").EnumerateArray()
            .Select(c => $"{c.GetProperty("group").GetProperty("employer").GetString()}/{c.GetProperty("group").GetProperty("level").GetString()}").ToList();

        Assert.Equal(["acme/L3", "acme/L5", "zeta/L2", "zeta/L4"], groups);
    }

    [Fact]
    public async Task The_dataset_version_moves_when_data_changes()
    {
        var before = (await BandsAsync("role=ml-engineer")).GetProperty("datasetVersion").GetString();
        var same = (await BandsAsync("role=ml-engineer")).GetProperty("datasetVersion").GetString();
        await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid());
        var after = (await BandsAsync("role=ml-engineer")).GetProperty("datasetVersion").GetString();

        Assert.Equal(before, same);
        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData("percentiles=0", "percentiles")]
    [InlineData("percentiles=100", "percentiles")]
    [InlineData("percentiles=ten", "percentiles")]
    [InlineData("component=salary", "component")]
    [InlineData("role=astronaut", "role")]
    [InlineData("region=us-zz", "region")]
    [InlineData("level=E5", "level")]
    [InlineData("employer=nobody-at-all", "employer")]
    [InlineData("from=2024-13-01", "from")]
    [InlineData("to=yesterday", "to")]
    [InlineData("from=2024-06-01&to=2024-01-01", "to")]
    [InlineData("source=rumour", "source")]
    [InlineData("verified=maybe", "verified")]
    [InlineData("currency=usd", "currency")]
    [InlineData("groupBy=country", "groupBy")]
    [InlineData("groupBy=role,role", "groupBy")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string query, string field)
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }
}
