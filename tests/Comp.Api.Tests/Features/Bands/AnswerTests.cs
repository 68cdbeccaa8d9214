using Comp.Api.Features.Bands;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>Compare, position, trend, CSV, ETag and the confidence interval (issue 4), with exact values.</summary>
public sealed class AnswerTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);

    /// <summary>Ten base salaries 100k … 190k: every type-7 grid value is 100,000 + 900·p for p in 10 … 90.</summary>
    private static List<SeedRow> TenSalaries(string employer = "acme", string role = "ml-engineer", DateOnly? date = null) =>
        Enumerable.Range(0, 10).Select(i => new SeedRow(employer, role, "L4", "us-ca", "USD", date ?? March, 100_000m + 10_000m * i)).ToList();

    private async Task<JsonElement> GetOkAsync(string path)
    {
        var response = await Factory.CreateExactClient().GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Theory]
    [InlineData(122_500, 25.0)]
    [InlineData(145_000, 50.0)]
    [InlineData(167_500, 75.0)]
    [InlineData(150_000, 55.6)]
    [InlineData(109_000, 10.0)]
    [InlineData(181_000, 90.0)]
    public async Task An_amount_ranks_on_the_published_grid(decimal amount, decimal rank)
    {
        await Factory.InsertAsync(TenSalaries());

        var position = await GetOkAsync($"/v1/bands/position?employer=acme&component=base&amount={amount}");

        Assert.Equal(rank, position.GetProperty("percentileRank").GetDecimal());
        Assert.Equal(JsonValueKind.Null, position.GetProperty("bound").ValueKind);
        // n = 10: the grid runs p10 … p90; p5 and p95 need 20 datapoints.
        var grid = position.GetProperty("cell").GetProperty("percentiles");
        Assert.Equal(JsonValueKind.Null, grid.GetProperty("p5").ValueKind);
        Assert.Equal(145_000.00m, grid.GetProperty("p50").GetDecimal());
    }

    [Theory]
    [InlineData(105_000, 10, "below")]
    [InlineData(50_000, 10, "below")]
    [InlineData(185_000, 90, "above")]
    [InlineData(5_000_000, 90, "above")]
    public async Task An_amount_outside_the_grid_gets_the_edge_rank_and_a_bound(decimal amount, decimal rank, string bound)
    {
        await Factory.InsertAsync(TenSalaries());

        var position = await GetOkAsync($"/v1/bands/position?employer=acme&component=base&amount={amount}");

        Assert.Equal(rank, position.GetProperty("percentileRank").GetDecimal());
        Assert.Equal(bound, position.GetProperty("bound").GetString());
    }

    [Fact]
    public async Task A_suppressed_cell_gives_no_position()
    {
        await Factory.InsertAsync(TenSalaries().Take(4).ToList());

        var position = await GetOkAsync("/v1/bands/position?employer=acme&component=base&amount=120000");

        Assert.Equal(JsonValueKind.Null, position.GetProperty("percentileRank").ValueKind);
        Assert.Equal(JsonValueKind.Null, position.GetProperty("bound").ValueKind);
        Assert.True(position.GetProperty("cell").GetProperty("suppressed").GetBoolean());
    }

    [Theory]
    [InlineData("amount=abc", "amount")]
    [InlineData("amount=-5", "amount")]
    [InlineData("", "amount")]
    [InlineData("amount=100000&groupBy=level", "groupBy")]
    [InlineData("amount=100000&role=astronaut", "role")]
    public async Task A_bad_position_request_is_a_400_naming_the_parameter(string query, string field)
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands/position?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Compare_answers_one_labelled_cell_per_segment_in_request_order()
    {
        await Factory.InsertAsync(TenSalaries("acme").Concat(TenSalaries("zeta", "research-scientist").Select(r => r with { BaseSalary = r.BaseSalary * 10 })).ToList());

        var response = await Factory.CreateExactClient().PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            percentiles = "50",
            segments = new object[]
            {
                new { label = "Researchers at zeta", filter = new { employer = "zeta", role = "research-scientist" } },
                new { label = "ML engineers at acme", filter = new { employer = "acme" } },
                new { label = "Nobody", filter = new { role = "designer" } },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cells = (await JsonAsync(response)).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["Researchers at zeta", "ML engineers at acme", "Nobody"], cells.Select(c => c.GetProperty("label").GetString()));
        Assert.Equal(1_450_000.00m, cells[0].GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(145_000.00m, cells[1].GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.True(cells[2].GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public async Task A_bad_compare_body_is_a_400_naming_the_segment_field()
    {
        var client = Factory.CreateExactClient();
        async Task<JsonElement> Errors(object body)
        {
            var response = await client.PostAsJsonAsync("/v1/bands/compare", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await JsonAsync(response)).GetProperty("errors");
        }

        Assert.True((await Errors(new { segments = new object[] { new { label = "a", filter = new { role = "ml-engineer" } }, new { label = "b", filter = new { role = "astronaut" } } } }))
            .TryGetProperty("segments[1].filter.role", out _));
        Assert.True((await Errors(new { segments = new object[] { new { label = "a", filter = new { rol = "ml-engineer" } } } }))
            .TryGetProperty("segments[0].filter.rol", out _));
        Assert.True((await Errors(new { component = "salary", segments = new object[] { new { label = "a", filter = new { } } } })).TryGetProperty("component", out _));
        Assert.True((await Errors(new { segments = Array.Empty<object>() })).TryGetProperty("segments", out _));
        Assert.True((await Errors(new { segments = Enumerable.Range(0, 21).Select(i => new { label = $"s{i}", filter = new { } }).ToArray() })).TryGetProperty("segments", out _));
    }

    [Fact]
    public async Task A_trend_has_one_cell_per_period_oldest_first_and_no_empty_periods()
    {
        var rows = TenSalaries(date: new DateOnly(2024, 2, 10)).Take(6)
            .Concat(TenSalaries(date: new DateOnly(2024, 8, 20)).Take(5))
            .Concat(TenSalaries(date: new DateOnly(2023, 11, 5)).Take(2)).ToList();
        await Factory.InsertAsync(rows);

        var quarters = (await GetOkAsync("/v1/bands/trend?employer=acme&component=base&interval=quarter&percentiles=50")).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["2023-Q4", "2024-Q1", "2024-Q3"], quarters.Select(c => c.GetProperty("group").GetProperty("period").GetString()));
        Assert.True(quarters[0].GetProperty("suppressed").GetBoolean());
        Assert.Equal(6, quarters[1].GetProperty("n").GetInt32());
        Assert.Equal(125_000.00m, quarters[1].GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(120_000.00m, quarters[2].GetProperty("percentiles").GetProperty("p50").GetDecimal());

        var years = await GetOkAsync("/v1/bands/trend?employer=acme&component=base&interval=year&percentiles=50");
        Assert.Equal("year", years.GetProperty("interval").GetString());
        Assert.Equal([("2023", (int?)null), ("2024", 11)], years.GetProperty("cells").EnumerateArray()
            .Select(c => (c.GetProperty("group").GetProperty("period").GetString(), c.GetProperty("n").ValueKind == JsonValueKind.Null ? (int?)null : c.GetProperty("n").GetInt32())));

        var bad = await Factory.CreateExactClient().GetAsync("/v1/bands/trend?interval=week");
        Assert.True((await JsonAsync(bad)).GetProperty("errors").TryGetProperty("interval", out _));
    }

    [Fact]
    public async Task Csv_gives_one_row_per_cell_and_one_column_per_percentile()
    {
        await Factory.InsertAsync(TenSalaries("acme").Concat(TenSalaries("zeta").Take(3)).ToList());
        var client = Factory.CreateExactClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await client.GetAsync("/v1/bands?component=base&groupBy=employer&percentiles=25,50");

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var version = await Factory.ScalarAsync<long>("SELECT last_value FROM dataset_version");
        Assert.Equal(
            "employer,n,employers,suppressed,reasons,confidence,p25,p50,equityBases,component,currency,agedTo,datasetVersion\r\n" +
            $"acme,10,1,false,,low,122500.00,145000.00,,base,USD,,{version}\r\n" +
            $"zeta,,,true,too_few_datapoints,,,,,base,USD,,{version}\r\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_trend_comes_as_csv_too()
    {
        await Factory.InsertAsync(TenSalaries(date: new DateOnly(2024, 2, 10)).Take(6).Concat(TenSalaries(date: new DateOnly(2023, 5, 1)).Take(5)).ToList());
        var client = Factory.CreateExactClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var csv = await (await client.GetAsync("/v1/bands/trend?employer=acme&component=base&percentiles=50")).Content.ReadAsStringAsync();

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("period,n,employers,suppressed,reasons,confidence,p50,equityBases,component,currency,agedTo,datasetVersion", lines[0]);
        Assert.StartsWith("2023,5,1,false,,low,120000.00,", lines[1]);
        Assert.StartsWith("2024,6,1,false,,low,125000.00,", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task Disclosure_thresholds_come_from_configuration()
    {
        await Factory.InsertAsync(TenSalaries().Take(4).ToList());
        await using var lenient = Factory.WithWebHostBuilder(b => b.UseSetting("Disclosure:MinDatapoints", "3"));

        var band = await JsonAsync(await lenient.CreateExactClient().GetAsync("/v1/bands?employer=acme&component=base&percentiles=50"));

        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.False(cell.GetProperty("suppressed").GetBoolean());
        Assert.Equal(4, cell.GetProperty("n").GetInt32());
        Assert.Equal(115_000.00m, cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Contains("cells need >= 3 datapoints", band.GetProperty("methodology").GetString());
    }

    [Fact]
    public async Task The_ETag_answers_304_until_the_data_changes()
    {
        await Factory.InsertAsync(TenSalaries());
        var client = Factory.CreateExactClient();

        var first = await client.GetAsync("/v1/bands?employer=acme");
        var etag = first.Headers.ETag!;
        var again = await client.GetAsync("/v1/bands?employer=acme");
        Assert.Equal(etag, again.Headers.ETag);
        Assert.NotEqual(etag, (await client.GetAsync("/v1/bands?employer=acme&percentiles=50")).Headers.ETag);

        var conditional = new HttpRequestMessage(HttpMethod.Get, "/v1/bands?employer=acme");
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid());
        var changed = new HttpRequestMessage(HttpMethod.Get, "/v1/bands?employer=acme");
        changed.Headers.IfNoneMatch.Add(etag);
        var fresh = await client.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etag, fresh.Headers.ETag);
    }

    [Fact]
    public async Task A_repeated_request_is_answered_from_the_answer_cache_with_the_same_bytes_until_the_data_changes()
    {
        await Factory.InsertAsync(TenSalaries());
        var cache = Factory.Services.GetRequiredService<AnswerCache>();
        var client = Factory.CreateExactClient();
        const string Path = "/v1/bands?employer=acme&component=base&percentiles=50";

        var first = await client.GetAsync(Path);
        var hits = cache.Hits;
        var again = await client.GetAsync(Path);
        HttpRequestMessage Csv()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Path);
            request.Headers.Accept.ParseAdd("text/csv");
            return request;
        }
        var csv = await client.SendAsync(Csv());
        var csvAgain = await client.SendAsync(Csv());

        Assert.Equal(hits + 2, cache.Hits);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Content.Headers.ContentType, again.Content.Headers.ContentType);
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        Assert.Equal("text/csv", csvAgain.Content.Headers.ContentType!.MediaType);
        Assert.Equal(await csv.Content.ReadAsStringAsync(), await csvAgain.Content.ReadAsStringAsync());
        Assert.Equal(csv.Content.Headers.ContentDisposition?.ToString(), csvAgain.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal(145_000m, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cells")[0].GetProperty("percentiles").GetProperty("p50").GetDecimal());

        // Cache-Control: no-cache computes afresh (no hit), with the same answer.
        var before = cache.Hits;
        var fresh = new HttpRequestMessage(HttpMethod.Get, Path);
        fresh.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        var computed = await client.SendAsync(fresh);
        Assert.Equal(before, cache.Hits);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await computed.Content.ReadAsByteArrayAsync());

        // A write moves the index's content, so the tag and the answer move with it.
        await Factory.InsertAsync([new SeedRow("acme", "ml-engineer", "L4", "us-ca", "USD", March, 300_000m)]);
        var changed = await client.GetAsync(Path);
        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);
        Assert.Equal(150_000m, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cells")[0].GetProperty("percentiles").GetProperty("p50").GetDecimal());
    }

    [Fact]
    public async Task Requests_that_miss_the_cache_together_make_the_answer_once()
    {
        var cache = Factory.Services.GetRequiredService<AnswerCache>();
        var etag = "\"lead-" + Guid.NewGuid().ToString("N") + "\"";

        Assert.True(cache.Lead(etag, out var first));
        Assert.False(cache.Lead(etag, out var second));
        Assert.Same(first, second);
        Assert.False(second.IsCompleted);
        var entry = new AnswerCache.Entry("application/json", null, [1, 2, 3], 431);
        cache.Done(etag, first, entry);

        Assert.Same(entry, await second);
        // Done: the next miss leads again (a failed lead hands its waiters null: they make their own).
        Assert.True(cache.Lead(etag, out var third));
        cache.Done(etag, third, null);
        Assert.Null(await third);
    }

    [Fact]
    public async Task Every_published_percentile_has_a_90_percent_interval_from_order_statistics()
    {
        await Factory.InsertAsync(TenSalaries());

        var cell = Assert.Single((await GetOkAsync("/v1/bands?employer=acme&component=base")).GetProperty("cells").EnumerateArray());

        // Binomial(10, p) ranks: p10 → (none, 4), p25 → (none, 6), p50 → (2, 9), p75 → (5, none), p90 → (7, none);
        // x(k) = 100,000 + 10,000·(k − 1).
        var ci = cell.GetProperty("ci");
        (decimal?, decimal?) Bounds(string p) => (
            ci.GetProperty(p).GetProperty("lower") is { ValueKind: JsonValueKind.Number } l ? l.GetDecimal() : null,
            ci.GetProperty(p).GetProperty("upper") is { ValueKind: JsonValueKind.Number } u ? u.GetDecimal() : null);
        Assert.Equal((null, 130_000.00m), Bounds("p10"));
        Assert.Equal((null, 150_000.00m), Bounds("p25"));
        Assert.Equal((110_000.00m, 180_000.00m), Bounds("p50"));
        Assert.Equal((140_000.00m, null), Bounds("p75"));
        Assert.Equal((160_000.00m, null), Bounds("p90"));
        Assert.Equal("low", cell.GetProperty("confidence").GetString());
    }

    [Fact]
    public async Task An_interval_bound_that_would_be_the_smallest_or_largest_datapoint_is_null()
    {
        // n = 5: the p50 ranks are (1, 5), the minimum and the maximum themselves.
        await Factory.InsertAsync(TenSalaries().Take(5).ToList());

        var ci = Assert.Single((await GetOkAsync("/v1/bands?employer=acme&percentiles=50")).GetProperty("cells").EnumerateArray()).GetProperty("ci");

        Assert.Equal(JsonValueKind.Null, ci.GetProperty("p50").GetProperty("lower").ValueKind);
        Assert.Equal(JsonValueKind.Null, ci.GetProperty("p50").GetProperty("upper").ValueKind);
    }

    [Fact]
    public async Task A_large_recent_cell_over_many_employers_is_graded_high_confidence()
    {
        // 120 datapoints over 12 employers dated this year.
        var today = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30);
        var rows = Enumerable.Range(0, 120).Select(i => new SeedRow($"e{i % 12}", "ml-engineer", "L4", "us-ca", "USD", today, 100_000m + 1_000m * i)).ToList();
        await Factory.InsertAsync(rows);

        var cell = Assert.Single((await GetOkAsync("/v1/bands?role=ml-engineer")).GetProperty("cells").EnumerateArray());

        Assert.Equal("high", cell.GetProperty("confidence").GetString());
    }
}
