using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// minYearsOfExperience / maxYearsOfExperience on every band route: inclusive bounds over
/// yearsOfExperience, a datapoint without it outside any such range.
/// </summary>
public sealed class YearsOfExperienceTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly DateOnly March = new(2024, 3, 1);

    /// <summary>
    /// At acme: base 100k + 10k·i with i years of experience, i = 0 … 11 (one decimal: 2.5 for i = 2),
    /// and three rows (90k, 250k, 260k) without years of experience.
    /// </summary>
    private async Task SeedAsync()
    {
        var rows = Enumerable.Range(0, 12)
            .Select(i => new SeedRow("acme", "ml-engineer", "L4", "us-ca", "USD", March, 100_000m + 10_000m * i, YearsOfExperience: i == 2 ? 2.5m : i))
            .Concat(new[] { 90_000m, 250_000m, 260_000m }.Select(pay => new SeedRow("acme", "ml-engineer", "L4", "us-ca", "USD", March, pay)))
            .ToList();
        await Factory.InsertAsync(rows);
    }

    /// <summary>The band index (the default) or PostgreSQL (<c>BandIndex:Enabled=false</c>): both must answer alike.</summary>
    private HttpClient client = null!;

    private void Use(bool index) =>
        client = index ? Factory.CreateExactClient() : Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false")).CreateExactClient();

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_range_keeps_only_datapoints_whose_years_fall_in_it_bounds_included(bool index)
    {
        Use(index);
        await SeedAsync();

        // 2.5 … 7 years: i = 2 (2.5), 3, 4, 5, 6, 7 → base 120k … 170k, six values.
        // Type 7, h = 5p: p25 = 130k + 0.25·10k, p50 = 145k, p75 = 157.5k; p10/p90 need 20 datapoints.
        var band = await GetAsync("/v1/bands?employer=acme&component=base&minYearsOfExperience=2.5&maxYearsOfExperience=7");
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.Equal(6, cell.GetProperty("n").GetInt32());
        var p = cell.GetProperty("percentiles");
        Assert.Equal(132_500.00m, p.GetProperty("p25").GetDecimal());
        Assert.Equal(145_000.00m, p.GetProperty("p50").GetDecimal());
        Assert.Equal(157_500.00m, p.GetProperty("p75").GetDecimal());

        // A lower bound alone: 8 … 11 years and nothing without years: 180k … 210k is 4 values, suppressed;
        // 6 … 11: 160k … 210k, p50 = 185k. An upper bound alone: 0 … 2.5 → 100k, 110k, 120k: suppressed.
        Assert.True(Assert.Single((await GetAsync("/v1/bands?employer=acme&minYearsOfExperience=8")).GetProperty("cells").EnumerateArray())
            .GetProperty("suppressed").GetBoolean());
        Assert.Equal(185_000.00m, Assert.Single((await GetAsync("/v1/bands?employer=acme&component=base&minYearsOfExperience=6"))
            .GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.True(Assert.Single((await GetAsync("/v1/bands?employer=acme&maxYearsOfExperience=2.5")).GetProperty("cells").EnumerateArray())
            .GetProperty("suppressed").GetBoolean());

        // Without a range the three rows without years count: 15 values, p50 = the 8th = 160k.
        Assert.Equal(160_000.00m, Assert.Single((await GetAsync("/v1/bands?employer=acme&component=base"))
            .GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        // 0 … 70 takes every datapoint that has years: 12 values 100k … 210k, p50 = 155k.
        var all = Assert.Single((await GetAsync("/v1/bands?employer=acme&component=base&minYearsOfExperience=0&maxYearsOfExperience=70"))
            .GetProperty("cells").EnumerateArray());
        Assert.Equal(12, all.GetProperty("n").GetInt32());
        Assert.Equal(155_000.00m, all.GetProperty("percentiles").GetProperty("p50").GetDecimal());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compare_position_trend_and_chart_take_the_range_too(bool index)
    {
        Use(index);
        await SeedAsync();

        // Compare: a segment with the range (2.5 … 7: p50 145k) beside one without (p50 160k).
        var response = await client.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "base",
            segments = new object[]
            {
                new { label = "mid", filter = new { employer = "acme", minYearsOfExperience = 2.5, maxYearsOfExperience = "7" } },
                new { label = "all", filter = new { employer = "acme" } },
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cells = (await JsonAsync(response)).GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(6, cells[0].GetProperty("n").GetInt32());
        Assert.Equal(145_000.00m, cells[0].GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(15, cells[1].GetProperty("n").GetInt32());
        Assert.Equal(160_000.00m, cells[1].GetProperty("percentiles").GetProperty("p50").GetDecimal());

        // Position: 145k is the published p50 of the 2.5 … 7 cell, so it ranks 50 there.
        var position = await GetAsync("/v1/bands/position?employer=acme&component=base&minYearsOfExperience=2.5&maxYearsOfExperience=7&amount=145000");
        Assert.Equal(50m, position.GetProperty("percentileRank").GetDecimal());
        Assert.Equal(6, position.GetProperty("cell").GetProperty("n").GetInt32());

        // Trend: one period (2024), the same six values.
        var trend = await GetAsync("/v1/bands/trend?employer=acme&component=base&minYearsOfExperience=2.5&maxYearsOfExperience=7");
        var period = Assert.Single(trend.GetProperty("cells").EnumerateArray());
        Assert.Equal("2024", period.GetProperty("group").GetProperty("period").GetString());
        Assert.Equal(6, period.GetProperty("n").GetInt32());
        Assert.Equal(145_000.00m, period.GetProperty("percentiles").GetProperty("p50").GetDecimal());

        // Chart: the bar is labelled with its n.
        var chart = await client.GetStringAsync("/v1/bands/chart.svg?employer=acme&component=base&minYearsOfExperience=2.5&maxYearsOfExperience=7");
        Assert.Contains("n = 6", chart);
        Assert.Contains("acme · 2.5–7 years", chart);
    }

    [Fact]
    public async Task The_typed_client_sends_the_range_on_bands_and_in_a_compare_segment()
    {
        await SeedAsync();
        var comp = Client.ClientKit.Create(Factory);
        var mid = new Comp.Client.BandFilter { Employer = "acme", MinYearsOfExperience = 2.5m, MaxYearsOfExperience = 7m };
        Assert.Equal("employer=acme&minYearsOfExperience=2.5&maxYearsOfExperience=7", mid.ToQueryString());

        var band = await comp.GetBandsAsync(new Comp.Client.BandQuery { Employer = "acme", Component = "base", MinYearsOfExperience = 2.5m, MaxYearsOfExperience = 7m });
        var cell = Assert.Single(band.Cells);
        Assert.Equal(6, cell.N);
        Assert.Equal(145_000.00m, cell.Percentiles!["p50"]);

        var compared = await comp.CompareAsync(new Comp.Client.CompareRequest { Component = "base", Segments = [new("mid", mid)] });
        Assert.Equal(6, Assert.Single(compared.Cells).N);
    }

    [Fact]
    public async Task An_empty_range_parameter_is_absent_like_any_empty_filter()
    {
        Use(index: true);
        await SeedAsync();

        // The 15 values with and without years: p50 = 160k, as with no parameter at all.
        var band = await GetAsync("/v1/bands?employer=acme&component=base&minYearsOfExperience=&maxYearsOfExperience=&verified=");
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.Equal(15, cell.GetProperty("n").GetInt32());
        Assert.Equal(160_000.00m, cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
    }

    [Theory]
    [InlineData("minYearsOfExperience=-1", "minYearsOfExperience")]
    [InlineData("minYearsOfExperience=71", "minYearsOfExperience")]
    [InlineData("maxYearsOfExperience=2.25", "maxYearsOfExperience")]
    [InlineData("maxYearsOfExperience=ten", "maxYearsOfExperience")]
    [InlineData("minYearsOfExperience=8&maxYearsOfExperience=3", "maxYearsOfExperience")]
    public async Task A_bad_range_is_a_400_naming_the_parameter(string query, string field)
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands?role=ml-engineer&" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }
}
