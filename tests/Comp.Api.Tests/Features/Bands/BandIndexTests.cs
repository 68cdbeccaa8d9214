using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// The in-memory band index against PostgreSQL: the same bodies byte for byte with the index on
/// and off, every kind of change (insert, delete, level remap, FX rate, TRUNCATE) visible to the
/// next read, compactions that change no answer, another instance catching up within a second without being asked, and the memory
/// budget of issue 8 (at most 100 bytes per datapoint).
/// </summary>
public sealed class BandIndexTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private WebApplicationFactory<Program> SqlOnly() => Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false"));

    private static async Task<(string Body, string? ReadFrom)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return (body, response.Headers.TryGetValues("X-Comp-Read-From", out var from) ? from.Single() : null);
    }

    /// <summary>The index's answer and PostgreSQL's, which must be the same text.</summary>
    private static async Task<string> SameAsync(HttpClient index, HttpClient sql, string url)
    {
        var (fromIndex, indexSource) = await GetAsync(index, url);
        var (fromSql, sqlSource) = await GetAsync(sql, url);
        Assert.Equal("memory", indexSource);
        Assert.Equal("primary", sqlSource);
        Assert.True(fromIndex == fromSql, $"{url}\nindex:      {fromIndex}\npostgresql: {fromSql}");
        return fromIndex;
    }

    [Fact]
    public async Task Bands_trends_positions_and_comparisons_are_the_same_with_the_index_on_and_off()
    {
        var random = new Random(8);
        await Factory.InsertAsync(BandsMatchPercentileContTests.RandomRows(random, 2_000));
        // Employer attributes too, so cuts and cells by industry, stage and headcount are compared (before the hosts below read the taxonomy).
        await BandsMatchPercentileContTests.SetAttributesAsync(Factory);
        await using var sqlOnly = SqlOnly();
        // Every scan split over two cores, so the merge of the halves is checked too.
        await using var split = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:ParallelFromRows", "2"));
        await split.Services.GetRequiredService<BandIndex>().WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        var index = split.CreateExactClient();
        var sql = sqlOnly.CreateExactClient();

        var compared = 0;
        for (var q = 0; q < 60; q++)
        {
            var cut = BandsMatchPercentileContTests.RandomCut(random);
            cut.Parameters["percentiles"] = string.Join(",", Enumerable.Range(1, 99).Where(_ => random.NextDouble() < 0.1).DefaultIfEmpty(50));
            await SameAsync(index, sql, "/v1/bands?" + cut.QueryString);
            compared++;

            cut.Parameters.Remove("groupBy");
            cut.Parameters.Remove("percentiles");
            await SameAsync(index, sql, $"/v1/bands/trend?interval={(q % 2 == 0 ? "quarter" : "year")}&" + cut.QueryString);
            await SameAsync(index, sql, $"/v1/bands/position?amount={100_000 + random.Next(200_000)}&" + cut.QueryString);
            compared += 2;
        }

        var compare = new
        {
            component = "total",
            percentiles = "10,50,90",
            segments = new object[]
            {
                new { label = "bay area ML", filter = new { role = "ml-engineer", region = "us-ca-sf-bay-area" } },
                new { label = "alpha research", filter = new { employer = "alpha", role = "research-scientist" } },
                new { label = "canada", filter = new { region = "ca" } },
            },
        };
        var indexResponse = await index.PostAsJsonAsync("/v1/bands/compare", compare);
        var fromIndex = await indexResponse.Content.ReadAsStringAsync();
        var fromSql = await (await sql.PostAsJsonAsync("/v1/bands/compare", compare)).Content.ReadAsStringAsync();
        Assert.True(indexResponse.StatusCode == HttpStatusCode.OK, fromIndex);
        Assert.Equal(fromSql, fromIndex);
        Assert.Contains("\"label\":\"bay area ML\"", fromIndex);
        output.WriteLine($"{compared + 1} answers identical");
    }

    [Fact]
    public async Task Every_kind_of_change_is_visible_to_the_next_read()
    {
        await using var sqlOnly = SqlOnly();
        var admin = Factory.CreateAdminClient();
        var index = Factory.CreateExactClient();
        var sql = sqlOnly.CreateExactClient();
        const string url = "/v1/bands?employer=nova&component=base&groupBy=level&percentiles=25,50,75";

        // 12 datapoints with the employer's own level E5 and no mapping yet: no ladder level.
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            var body = Infrastructure.Datapoints.Valid(employer: "nova", baseSalary: 100_000 + 10_000 * i, currency: i < 4 ? "EUR" : "USD")
                .With("level", null).With("employerLevel", "E5");
            ids.Add((await admin.PostOkAsync(body)).GetProperty("id").GetGuid());
        }
        var before = await SameAsync(index, sql, url);
        Assert.Contains("\"group\":{\"level\":null},\"n\":12", before);

        // A delete.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/datapoints/{ids[11]}")).StatusCode);
        Assert.Contains("\"group\":{\"level\":null},\"n\":11", await SameAsync(index, sql, url));

        // A level mapping arriving later updates the stored rows in place.
        var mapped = await admin.PutAsJsonAsync("/v1/employers/nova/levels", new { levels = new Dictionary<string, string> { ["E5"] = "L5" } });
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
        var remapped = await SameAsync(index, sql, url);
        Assert.Contains("\"group\":{\"level\":\"L5\"},\"n\":11", remapped);
        Assert.DoesNotContain("\"level\":null", remapped);

        // A new FX rate changes the EUR values converted to USD (4 of them are in EUR).
        var eurUrl = "/v1/bands?employer=nova&component=base&percentiles=10,50,90";
        var oldRate = await SameAsync(index, sql, eurUrl);
        var rate = await admin.PutAsJsonAsync("/v1/fx-rates", new[] { new { currency = "EUR", date = "2024-02-01", usdPerUnit = 2.0m, source = "test" } });
        Assert.True(rate.IsSuccessStatusCode, await rate.Content.ReadAsStringAsync());
        var newRate = await SameAsync(index, sql, eurUrl);
        Assert.NotEqual(oldRate, newRate);
        Assert.Contains("\"usdPerUnit\":2", newRate);

        // A row written straight into PostgreSQL, bypassing the API.
        await Factory.InsertAsync([new SeedRow("nova", "ml-engineer", "L5", "us-ca", "USD", new DateOnly(2024, 3, 1), 500_000m)]);
        Assert.Contains("\"group\":{\"level\":\"L5\"},\"n\":12", await SameAsync(index, sql, url));

        // TRUNCATE fires no row trigger: its epoch makes the index load again.
        await using (var connection = await Factory.OpenAsync())
            await new Npgsql.NpgsqlCommand("TRUNCATE datapoints", connection).ExecuteNonQueryAsync();
        await SameAsync(index, sql, "/v1/bands?component=base&groupBy=employer");
        Assert.Equal(0, Factory.Services.GetRequiredService<BandIndex>().Datapoints);
    }

    [Fact]
    public async Task Answers_stay_the_same_when_the_index_compacts_its_rows_into_role_and_region_order()
    {
        await using var sqlOnly = SqlOnly();
        // The feed compacts after every catch-up that leaves an eighth of the rows out of place.
        await using var compacting = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:CompactFromRows", "1"));
        var bandIndex = compacting.Services.GetRequiredService<BandIndex>();
        await bandIndex.WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        var compactions = bandIndex.Compactions;
        var index = compacting.CreateExactClient();
        var sql = sqlOnly.CreateExactClient();
        var random = new Random(64);

        async Task CompareAsync(string change)
        {
            // Answers are the same before the feed compacts (rows out of place) and after.
            for (var q = 0; q < 5; q++)
                await SameAsync(index, sql, "/v1/bands?" + BandsMatchPercentileContTests.RandomCut(random).QueryString);
            var waited = Stopwatch.StartNew();
            while (bandIndex.Compactions == compactions && waited.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(10);
            Assert.True(bandIndex.Compactions > compactions, $"no compaction within 10 s after {change}");
            compactions = bandIndex.Compactions;
            for (var q = 0; q < 15; q++)
                await SameAsync(index, sql, "/v1/bands?" + BandsMatchPercentileContTests.RandomCut(random).QueryString);
            var data = bandIndex.Data!;
            Assert.Equal(data.Live, data.Count); // deleted rows dropped
            Assert.Equal(data.Count, data.Clustered);
            for (var r = 1; r < data.Count; r++)
            {
                var before = (uint)IndexData.RoleRegion(data.Role[r - 1], data.Region[r - 1]);
                var at = (uint)IndexData.RoleRegion(data.Role[r], data.Region[r]);
                Assert.True(before <= at, $"after {change}: row {r} is out of role-and-region order");
            }
        }

        await Factory.InsertAsync(BandsMatchPercentileContTests.RandomRows(random, 1_500));
        await CompareAsync("1,530 rows appended");
        await Factory.ScalarAsync<long>("WITH gone AS (DELETE FROM datapoints WHERE id IN (SELECT id FROM datapoints ORDER BY id LIMIT 400) RETURNING 1) SELECT count(*) FROM gone");
        await CompareAsync("400 rows deleted");
        // Rows that change region move to another posting list; rows that change amount stay where they are.
        await Factory.ScalarAsync<long>(
            "WITH moved AS (UPDATE datapoints SET region = 'us-ny', base_salary = base_salary + 1 WHERE id IN (SELECT id FROM datapoints ORDER BY id DESC LIMIT 300) RETURNING 1) SELECT count(*) FROM moved");
        await CompareAsync("300 rows moved to another region");
        // A new basis, package type and vesting change a row's profile in place (no row moves, so no compaction follows).
        await Factory.ScalarAsync<long>(
            "WITH changed AS (UPDATE datapoints SET equity_basis = 'cash_lti', package_type = 'acquisition', equity_vesting_schedule = NULL, " +
            "equity_vesting_years = 4, retention_vesting_years = 2, retention_vesting_schedule = '{70,30}' " +
            "WHERE id IN (SELECT id FROM datapoints ORDER BY id LIMIT 250) RETURNING 1) SELECT count(*) FROM changed");
        for (var q = 0; q < 15; q++)
            await SameAsync(index, sql, "/v1/bands?" + BandsMatchPercentileContTests.RandomCut(random).QueryString);
        var changed = await SameAsync(index, sql, "/v1/bands?equityBasis=cash_lti&packageType=acquisition&component=year2&groupBy=employer&percentiles=50");
        Assert.Contains(System.Text.Json.JsonDocument.Parse(changed).RootElement.GetProperty("cells").EnumerateArray(), c => !c.GetProperty("suppressed").GetBoolean());
        Assert.Equal(await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"), bandIndex.Datapoints);
    }

    [Fact]
    public async Task A_single_cell_of_every_candidate_is_the_same_whole_or_split_over_two_cores()
    {
        // All in USD with no filter left to test: every candidate is a value, so the cell's buffer
        // is handed on as its values (no copy), whole or as two merged halves.
        var random = new Random(1024);
        await Factory.InsertAsync(BandsMatchPercentileContTests.RandomRows(random, 3_000).Select(r => r with { Currency = "USD" }).ToList());
        await using var sqlOnly = SqlOnly();
        await using var split = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:ParallelFromRows", "2"));
        await split.Services.GetRequiredService<BandIndex>().WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        var sql = sqlOnly.CreateExactClient();
        string[] cuts =
        [
            "component=base&percentiles=1,10,25,50,75,90,99",
            "component=total&region=us",
            "component=year1&role=ml-engineer&region=us-ca&percentiles=5,50,95",
            "component=base&role=software-engineer",
            "component=total&employer=alpha",
        ];
        foreach (var cut in cuts)
        {
            var whole = await SameAsync(Factory.CreateExactClient(), sql, "/v1/bands?" + cut);
            var halves = await SameAsync(split.CreateExactClient(), sql, "/v1/bands?" + cut);
            Assert.Equal(whole, halves);
        }
        Assert.Contains("\"n\":3030", await SameAsync(Factory.CreateExactClient(), sql, "/v1/bands?component=base"));
    }

    [Fact]
    public async Task Another_instance_catches_up_within_a_second_without_being_asked()
    {
        await using var other = Factory.WithWebHostBuilder(_ => { });
        var otherIndex = other.Services.GetRequiredService<BandIndex>();
        await otherIndex.WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        var start = otherIndex.Datapoints;

        var admin = Factory.CreateAdminClient();
        var rows = Enumerable.Range(0, 500).Select(i => Infrastructure.Datapoints.Valid(baseSalary: 90_000 + i)).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch") { Content = JsonContent.Create(rows) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var batch = await admin.SendAsync(request);
        Assert.True(batch.IsSuccessStatusCode, await batch.Content.ReadAsStringAsync());

        // Not one request to the other instance: only its feed (LISTEN/NOTIFY) can bring the rows.
        var waited = Stopwatch.StartNew();
        while (otherIndex.Datapoints != start + 500 && waited.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(5);
        waited.Stop();
        output.WriteLine($"the other instance held the 500 rows {waited.ElapsedMilliseconds} ms after the batch was acknowledged");
        Assert.Equal(start + 500, otherIndex.Datapoints);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(1), $"took {waited.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_freshly_loaded_index_takes_at_most_100_bytes_per_datapoint()
    {
        var random = new Random(100);
        await Factory.InsertAsync(BandsMatchPercentileContTests.RandomRows(random, 60_000));
        var expected = await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints");

        await using var fresh = Factory.WithWebHostBuilder(_ => { });
        var index = fresh.Services.GetRequiredService<BandIndex>();
        await index.WhenLoaded.WaitAsync(TimeSpan.FromSeconds(60));
        var perDatapoint = (double)index.Bytes / index.Datapoints;
        output.WriteLine($"{index.Datapoints} datapoints, {index.Bytes} bytes, {perDatapoint:0.0} bytes per datapoint");
        Assert.Equal(expected, index.Datapoints);
        Assert.True(perDatapoint <= 100, $"{perDatapoint:0.0} bytes per datapoint");
    }
}
