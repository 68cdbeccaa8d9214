using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// industry, stage and headcount as band filters and group keys (issue 18): employer attributes
/// resolved to the employers that have them, combined with <c>employer</c> by intersection, under
/// the multi-employer rules however many employers match, on every band route and in both stores;
/// and <c>excludeEmployer</c>, which takes employers out of any cut.
/// </summary>
public sealed class EmployerAttributeBandTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);

    /// <summary>
    /// ML engineers in us-ca, base only, four datapoints per employer:
    /// <list type="bullet">
    /// <item>a1 … a5, ai-lab: a1–a3 private-late, a4–a5 private-growth; a1–a2 1001-5000, a3–a5 201-1000;
    /// a<i>i</i> earns 100k + 40k·(i−1) + 10k·j, j = 0 … 3, so ai-lab is 100k … 290k in steps of 10k.</item>
    /// <item>b1 … b5, big-tech, public, 20001-plus: 300k … 490k in the same steps.</item>
    /// <item>c1, saas, no stage or headcount: six datapoints 500k … 550k.</item>
    /// </list>
    /// </summary>
    private async Task SeedAsync()
    {
        var rows = new List<SeedRow>();
        for (var i = 0; i < 5; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                rows.Add(new SeedRow($"a{i + 1}", "ml-engineer", "L4", "us-ca", "USD", March, 100_000m + 40_000m * i + 10_000m * j));
                rows.Add(new SeedRow($"b{i + 1}", "ml-engineer", "L4", "us-ca", "USD", March, 300_000m + 40_000m * i + 10_000m * j));
            }
        }
        rows.AddRange(Enumerable.Range(0, 6).Select(k => new SeedRow("c1", "ml-engineer", "L4", "us-ca", "USD", March, 500_000m + 10_000m * k)));
        await Factory.InsertAsync(rows);

        var admin = Factory.CreateAdminClient();
        async Task Set(string slug, object attributes) =>
            Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/v1/employers/{slug}", JsonContent.Create(attributes))).StatusCode);
        await Set("a1", new { industry = "ai-lab", stage = "private-late", headcount = "1001-5000" });
        await Set("a2", new { industry = "ai-lab", stage = "private-late", headcount = "1001-5000" });
        await Set("a3", new { industry = "ai-lab", stage = "private-late", headcount = "201-1000" });
        await Set("a4", new { industry = "ai-lab", stage = "private-growth", headcount = "201-1000" });
        await Set("a5", new { industry = "ai-lab", stage = "private-growth", headcount = "201-1000" });
        for (var i = 1; i <= 5; i++)
            await Set($"b{i}", new { industry = "big-tech", stage = "public", headcount = "20001-plus" });
        await Set("c1", new { industry = "saas" });
    }

    private HttpClient client = null!;

    /// <summary>The band index (the default) or PostgreSQL (<c>BandIndex:Enabled=false</c>): both must answer alike.</summary>
    private void Use(bool index) =>
        client = index ? Factory.CreateExactClient() : Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false")).CreateExactClient();

    private async Task<List<JsonElement>> CellsAsync(string query)
    {
        var response = await client.GetAsync("/v1/bands?component=base&" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("cells").EnumerateArray().ToList();
    }

    private async Task<JsonElement> CellAsync(string query) => Assert.Single(await CellsAsync(query));

    private static decimal P(JsonElement cell, string key) => cell.GetProperty("percentiles").GetProperty(key).GetDecimal();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Attribute_filters_keep_the_datapoints_of_the_employers_that_have_them(bool index)
    {
        Use(index);
        await SeedAsync();

        // ai-lab: 20 values 100k … 290k. Type 7: p10 at h = 1.9 → 119k, p25 at 4.75 → 147.5k, p50 at 9.5 → 195k,
        // p75 at 14.25 → 242.5k, p90 at 17.1 → 271k.
        var lab = await CellAsync("industry=ai-lab");
        Assert.Equal(20, lab.GetProperty("n").GetInt32());
        Assert.Equal(5, lab.GetProperty("employers").GetInt32());
        Assert.Equal(119_000.00m, P(lab, "p10"));
        Assert.Equal(147_500.00m, P(lab, "p25"));
        Assert.Equal(195_000.00m, P(lab, "p50"));
        Assert.Equal(242_500.00m, P(lab, "p75"));
        Assert.Equal(271_000.00m, P(lab, "p90"));

        // A comma list is any of them: 40 values 100k … 490k, p50 at h = 19.5 → 295k.
        var both = await CellAsync("industry=ai-lab,big-tech");
        Assert.Equal(40, both.GetProperty("n").GetInt32());
        Assert.Equal(10, both.GetProperty("employers").GetInt32());
        Assert.Equal(295_000.00m, P(both, "p50"));

        // stage=public is b1 … b5: 300k … 490k, p50 395k. Attributes combine: ai-lab and 201-1000 is a3 … a5,
        // three employers of four datapoints each (a third apiece), so the cell is suppressed.
        Assert.Equal(395_000.00m, P(await CellAsync("stage=public"), "p50"));
        var small = await CellAsync("industry=ai-lab&headcount=201-1000");
        Assert.True(small.GetProperty("suppressed").GetBoolean());
        Assert.Equal(["too_few_employers", "employer_dominance"], small.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        // headcount=201-1000,20001-plus: a3 … a5 and b1 … b5, 32 values 180k … 490k, p50 at h = 15.5 → 335k.
        var headcount = await CellAsync("headcount=201-1000,20001-plus");
        Assert.Equal(32, headcount.GetProperty("n").GetInt32());
        Assert.Equal(335_000.00m, P(headcount, "p50"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Attributes_intersect_with_employer_and_a_match_of_one_employer_keeps_the_multi_employer_rules(bool index)
    {
        Use(index);
        await SeedAsync();

        // a1, a2, b1, b2, b3 of the six named: 100k … 170k and 300k … 410k, p50 at h = 9.5 → 315k.
        var cut = await CellAsync("employer=a1,a2,a3,b1,b2,b3&headcount=1001-5000,20001-plus");
        Assert.Equal(20, cut.GetProperty("n").GetInt32());
        Assert.Equal(5, cut.GetProperty("employers").GetInt32());
        Assert.Equal(315_000.00m, P(cut, "p50"));

        // c1 alone by name is one employer's band (n = 6, p50 525k); c1 reached as industry=saas is a
        // multi-employer cut of one employer, so it is suppressed.
        Assert.Equal(525_000.00m, P(await CellAsync("employer=c1"), "p50"));
        var saas = await CellAsync("industry=saas");
        Assert.True(saas.GetProperty("suppressed").GetBoolean());
        Assert.Equal(["too_few_employers", "employer_dominance"], saas.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        // Named and matching, the employer's own band again.
        Assert.Equal(525_000.00m, P(await CellAsync("employer=c1&industry=saas"), "p50"));

        // No employer has the attribute, or the named one lacks it: nothing matches.
        foreach (var query in new[] { "industry=hardware", "stage=nonprofit", "employer=a1&industry=big-tech" })
        {
            var none = await CellAsync(query);
            Assert.True(none.GetProperty("suppressed").GetBoolean(), query);
            Assert.Equal(JsonValueKind.Null, none.GetProperty("n").ValueKind);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cells_group_by_an_attribute_with_employers_that_lack_it_in_a_null_cell_last(bool index)
    {
        Use(index);
        await SeedAsync();

        var byIndustry = await CellsAsync("groupBy=industry");
        Assert.Equal(["ai-lab", "big-tech", "saas"], byIndustry.Select(c => c.GetProperty("group").GetProperty("industry").GetString()));
        Assert.Equal(195_000.00m, P(byIndustry[0], "p50"));
        Assert.Equal(395_000.00m, P(byIndustry[1], "p50"));
        Assert.True(byIndustry[2].GetProperty("suppressed").GetBoolean());

        // Stage: private-growth (a4, a5) and private-late (a1 … a3) have too few employers; c1 has no stage.
        var byStage = await CellsAsync("groupBy=stage");
        Assert.Equal(["private-growth", "private-late", "public", null], byStage.Select(c => c.GetProperty("group").GetProperty("stage").GetString()));
        Assert.Equal([true, true, false, true], byStage.Select(c => c.GetProperty("suppressed").GetBoolean()));
        Assert.Equal(20, byStage[2].GetProperty("n").GetInt32());

        // Two keys, one an attribute: within ai-lab, by headcount; and grouped with employer, each employer's own band.
        var labByHeadcount = await CellsAsync("industry=ai-lab&groupBy=headcount");
        Assert.Equal(["1001-5000", "201-1000"], labByHeadcount.Select(c => c.GetProperty("group").GetProperty("headcount").GetString()));
        var byEmployer = await CellsAsync("industry=ai-lab&groupBy=industry,employer");
        Assert.Equal(5, byEmployer.Count);
        Assert.All(byEmployer, c => Assert.Equal("ai-lab", c.GetProperty("group").GetProperty("industry").GetString()));
        // a2: 140k … 170k, its own band (single employer, four datapoints: suppressed for n < 5).
        Assert.Equal("a2", byEmployer[1].GetProperty("group").GetProperty("employer").GetString());
        Assert.Equal(["too_few_datapoints"], byEmployer[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compare_position_trend_chart_and_csv_take_the_attributes_too(bool index)
    {
        Use(index);
        await SeedAsync();

        var response = await client.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            segments = new object[]
            {
                new { label = "labs", filter = new { industry = "ai-lab" } },
                new { label = "big tech", filter = new { industry = "big-tech", stage = "public" } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cells = (await JsonAsync(response)).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(195_000.00m, P(cells[0], "p50"));
        Assert.Equal(395_000.00m, P(cells[1], "p50"));

        // 195k is the published p50 of ai-lab.
        var position = JsonDocument.Parse(await client.GetStringAsync("/v1/bands/position?industry=ai-lab&component=base&amount=195000")).RootElement;
        Assert.Equal(50m, position.GetProperty("percentileRank").GetDecimal());
        Assert.Equal(20, position.GetProperty("cell").GetProperty("n").GetInt32());

        var trend = JsonDocument.Parse(await client.GetStringAsync("/v1/bands/trend?industry=ai-lab&component=base&interval=year")).RootElement;
        var period = Assert.Single(trend.GetProperty("cells").EnumerateArray());
        Assert.Equal("2024", period.GetProperty("group").GetProperty("period").GetString());
        Assert.Equal(195_000.00m, P(period, "p50"));

        var chart = await client.GetStringAsync("/v1/bands/chart.svg?industry=ai-lab&component=base");
        Assert.Contains("n = 20", chart);
        Assert.Contains("ai-lab", chart);

        var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/bands?component=base&groupBy=industry");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = (await (await client.SendAsync(csvRequest)).Content.ReadAsStringAsync()).Split('\n');
        Assert.StartsWith("industry,n,employers,suppressed", csv[0]);
        Assert.StartsWith("ai-lab,20,5,false", csv[1]);
        Assert.StartsWith("big-tech,20,5,false", csv[2]);
    }

    [Fact]
    public async Task A_changed_attribute_changes_the_answer_and_its_etag_at_once()
    {
        Use(index: true);
        await SeedAsync();

        var first = await client.GetAsync("/v1/bands?component=base&industry=ai-lab");
        var etag = first.Headers.ETag!;
        Assert.Equal(20, Assert.Single((await JsonAsync(first)).GetProperty("cells").EnumerateArray()).GetProperty("n").GetInt32());

        // b1 joins ai-lab: no datapoint changed, yet the cut now holds its four datapoints.
        Assert.Equal(HttpStatusCode.OK, (await Factory.CreateAdminClient().PatchAsync("/v1/employers/b1", JsonContent.Create(new { industry = "ai-lab" }))).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/bands?component=base&industry=ai-lab");
        request.Headers.IfNoneMatch.Add(etag);
        var second = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(etag, second.Headers.ETag);
        var cell = Assert.Single((await JsonAsync(second)).GetProperty("cells").EnumerateArray());
        Assert.Equal(24, cell.GetProperty("n").GetInt32());
        Assert.Equal(6, cell.GetProperty("employers").GetInt32());
    }

    [Fact]
    public async Task The_protected_tier_takes_the_attributes_and_groups_by_them()
    {
        await SeedAsync();
        var anonymous = Factory.CreateClient();
        var response = await anonymous.GetAsync("/v1/bands?component=base&industry=ai-lab,big-tech&groupBy=industry");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cells = (await JsonAsync(response)).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["ai-lab", "big-tech"], cells.Select(c => c.GetProperty("group").GetProperty("industry").GetString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Exclude_employer_takes_an_employer_out_of_any_cut(bool index)
    {
        Use(index);
        await SeedAsync();

        // Everyone is 46 datapoints; without c1, the 40 of a1 … a5 and b1 … b5 (p50 295k, as industry=ai-lab,big-tech).
        Assert.Equal(46, (await CellAsync("")).GetProperty("n").GetInt32());
        var market = await CellAsync("excludeEmployer=c1");
        Assert.Equal(40, market.GetProperty("n").GetInt32());
        Assert.Equal(10, market.GetProperty("employers").GetInt32());
        Assert.Equal(295_000.00m, P(market, "p50"));

        // With attributes: ai-lab and big-tech without a1 is 140k … 490k, 36 values, p50 at h = 17.5 → 315k.
        var peers = await CellAsync("industry=ai-lab,big-tech&excludeEmployer=a1");
        Assert.Equal(36, peers.GetProperty("n").GetInt32());
        Assert.Equal(9, peers.GetProperty("employers").GetInt32());
        Assert.Equal(315_000.00m, P(peers, "p50"));

        // With employer: the named ones less the excluded; what remains keeps the multi-employer rules
        // unless employer named one (c1 without a1 is one employer's datapoints in a two-employer cut: suppressed).
        var named = await CellAsync("employer=a1,a2,a3,a4,a5,b1&excludeEmployer=b1");
        Assert.Equal(20, named.GetProperty("n").GetInt32());
        Assert.Equal(195_000.00m, P(named, "p50"));
        var alone = await CellAsync("employer=c1,a1&excludeEmployer=a1");
        Assert.Equal(["too_few_employers", "employer_dominance"], alone.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        var nothing = await CellAsync("employer=c1&excludeEmployer=c1");
        Assert.Equal(JsonValueKind.Null, nothing.GetProperty("n").ValueKind);

        // Grouped: the excluded employer's cell is gone.
        Assert.Equal(["ai-lab", "big-tech"], (await CellsAsync("groupBy=industry&excludeEmployer=c1"))
            .Select(c => c.GetProperty("group").GetProperty("industry").GetString()));

        // A compare segment takes it too.
        var response = await client.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            segments = new object[] { new { label = "market without c1", filter = new { excludeEmployer = "c1" } } },
        });
        Assert.Equal(295_000.00m, P(Assert.Single((await JsonAsync(response)).GetProperty("cells").EnumerateArray()), "p50"));
    }

    [Theory]
    [InlineData("excludeEmployer=nobody", "excludeEmployer")]
    [InlineData("industry=mining", "industry")]
    [InlineData("stage=series-c", "stage")]
    [InlineData("headcount=1000", "headcount")]
    [InlineData("groupBy=sector", "groupBy")]
    public async Task A_bad_employer_filter_is_a_400_naming_the_parameter(string query, string field)
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], (await JsonAsync(response)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
