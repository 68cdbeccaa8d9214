using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// Year-by-year pay (issue 17): the bands of year1 … year4 for a back-loaded schedule (Amazon's
/// 5/15/40/40, given on each datapoint) and a front-loaded one (33/33/22/12, the employer's
/// default), each value worked out by hand below, on both band sources and through every band route.
/// </summary>
public sealed class YearByYearTests(CompApiFactory factory) : ApiTest(factory)
{
    private static Dictionary<string, object?> Package(string employer, decimal baseSalary, decimal equity) =>
        Infrastructure.Datapoints.Valid(employer: employer, baseSalary: baseSalary).With("equityGrant", equity);

    /// <summary>
    /// Five packages at "backco", equity on 5/15/40/40 (year K vests 5%, 15%, 40%, 40% of the grant):
    /// <code>
    ///      base     equity     retention (even, 2 years)  sign-on | year1    year2    year3    year4    total
    ///   A  100,000    400,000  -                           10,000 | 130,000  160,000  260,000  260,000  200,000
    ///   B  120,000    200,000   60,000 (30,000 a year)     -      | 160,000  180,000  200,000  200,000  200,000
    ///   C  150,000    800,000  -                           -      | 190,000  270,000  470,000  470,000  350,000
    ///   D   90,000  1,000,000  -                           20,000 | 160,000  240,000  490,000  490,000  340,000
    ///   E  200,000    100,000  100,000 (50,000 a year)     -      | 255,000  265,000  240,000  240,000  275,000
    /// </code>
    /// e.g. A's year1 = 100,000 + 5% of 400,000 + 10,000 sign-on; B's year3 = 120,000 + 40% of 200,000 and no
    /// retention (its 2 years are over); total = base + grant / 4 + retention / 2 (the grant over its years, as before).
    /// Sorted, type 7 over 5 values reads p25, p50, p75 at ranks 1, 2, 3:
    /// year1 130,000 160,000 160,000 190,000 255,000; year2 160,000 180,000 240,000 265,000 270,000;
    /// year3 and year4 200,000 240,000 260,000 470,000 490,000; total 200,000 200,000 275,000 340,000 350,000
    /// (its p25 equals the smallest value, so it is withheld).
    /// </summary>
    private static IEnumerable<Dictionary<string, object?>> BackLoaded()
    {
        int[] amazon = [5, 15, 40, 40];
        yield return Package("backco", 100_000m, 400_000m).With("equityVestingSchedule", amazon).With("signOnBonus", 10_000m);
        yield return Package("backco", 120_000m, 200_000m).With("equityVestingSchedule", amazon).With("retentionGrant", 60_000m).With("retentionVestingYears", 2);
        yield return Package("backco", 150_000m, 800_000m).With("equityVestingSchedule", amazon).With("equityVestingYears", 4);
        yield return Package("backco", 90_000m, 1_000_000m).With("equityVestingSchedule", amazon).With("signOnBonus", 20_000m);
        yield return Package("backco", 200_000m, 100_000m).With("equityVestingSchedule", amazon).With("retentionGrant", 100_000m).With("retentionVestingYears", 2);
    }

    /// <summary>
    /// Five packages at "frontco", whose default equity schedule is 33/33/22/12 (set before or after they are stored):
    /// <code>
    ///       base     equity  | year1 = year2   year3     year4
    ///   F1  100,000  300,000 | 199,000         166,000   136,000
    ///   F2  110,000  600,000 | 308,000         242,000   182,000
    ///   F3  120,000  100,000 | 153,000         142,000   132,000
    ///   F4  130,000  900,000 | 427,000         328,000   238,000
    ///   F5  140,000  200,000 | 206,000         184,000   164,000
    /// </code>
    /// e.g. F1's year3 = 100,000 + 22% of 300,000. Sorted: year1 153,000 199,000 206,000 308,000 427,000;
    /// year3 142,000 166,000 184,000 242,000 328,000; year4 132,000 136,000 164,000 182,000 238,000.
    /// </summary>
    private static IEnumerable<Dictionary<string, object?>> FrontLoaded() =>
    [
        Package("frontco", 100_000m, 300_000m), Package("frontco", 110_000m, 600_000m), Package("frontco", 120_000m, 100_000m),
        Package("frontco", 130_000m, 900_000m), Package("frontco", 140_000m, 200_000m),
    ];

    private static readonly Dictionary<string, decimal?[]> BackLoadedBands = new()
    {
        ["year1"] = [160_000m, 160_000m, 190_000m],
        ["year2"] = [180_000m, 240_000m, 265_000m],
        ["year3"] = [240_000m, 260_000m, 470_000m],
        ["year4"] = [240_000m, 260_000m, 470_000m],
        ["total"] = [null, 275_000m, 340_000m],
    };

    private static readonly Dictionary<string, decimal?[]> FrontLoadedBands = new()
    {
        ["year1"] = [199_000m, 206_000m, 308_000m],
        ["year2"] = [199_000m, 206_000m, 308_000m],
        ["year3"] = [166_000m, 184_000m, 242_000m],
        ["year4"] = [136_000m, 164_000m, 182_000m],
    };

    private async Task StoreAsync()
    {
        var admin = Factory.CreateAdminClient();
        foreach (var body in BackLoaded())
            await admin.PostOkAsync(body);
        await admin.PostAsJsonAsync("/v1/employers", new { slug = "frontco", name = "Front Co" });
        var put = await admin.PutAsJsonAsync("/v1/employers/frontco/vesting", new { equity = new[] { 33, 33, 22, 12 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        foreach (var body in FrontLoaded())
            await admin.PostOkAsync(body);
    }

    private static async Task<JsonElement> BandAsync(HttpClient client, string query, string? readFrom = null)
    {
        var response = await client.GetAsync("/v1/bands?" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {text}");
        if (readFrom is not null)
            Assert.Equal(readFrom, response.Headers.GetValues("X-Comp-Read-From").Single());
        return JsonDocument.Parse(text).RootElement;
    }

    private static decimal?[] Quartiles(JsonElement cell) =>
        new[] { "p25", "p50", "p75" }.Select(p => cell.GetProperty("percentiles").GetProperty(p) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : (decimal?)null).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Back_and_front_loaded_schedules_give_each_year_its_own_band_on_both_sources(bool bandIndex)
    {
        await StoreAsync();
        await using var sqlOnly = Factory.WithWebHostBuilder(b => b.UseSetting("BandIndex:Enabled", "false"));
        var client = bandIndex ? Factory.CreateExactClient() : sqlOnly.CreateExactClient();

        var source = bandIndex ? "memory" : "primary";
        foreach (var (employer, bands) in new[] { ("backco", BackLoadedBands), ("frontco", FrontLoadedBands) })
        {
            foreach (var (component, expected) in bands)
            {
                var band = await BandAsync(client, $"employer={employer}&component={component}&percentiles=25,50,75", source);
                var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
                Assert.Equal(5, cell.GetProperty("n").GetInt32());
                Assert.True(expected.SequenceEqual(Quartiles(cell)), $"{employer} {component}: {cell}");
            }
        }
    }

    [Fact]
    public async Task The_methodology_names_the_schedules_in_force()
    {
        await StoreAsync();
        var back = await BandAsync(Factory.CreateExactClient(), "employer=backco&component=year3&percentiles=50");
        Assert.EndsWith("; vesting in force: equity 5/15/40/40; retention even over 2 years", back.GetProperty("methodology").GetString());
        var both = await BandAsync(Factory.CreateExactClient(), "employer=backco,frontco&component=year2&groupBy=employer&percentiles=50");
        Assert.EndsWith("; vesting in force: equity 33/33/22/12, 5/15/40/40; retention even over 2 years", both.GetProperty("methodology").GetString());
        // Other components do not depend on schedules; the protected tier names none (which a cut holds is data).
        Assert.DoesNotContain("vesting in force", (await BandAsync(Factory.CreateExactClient(), "employer=backco&component=total")).GetProperty("methodology").GetString());
        var anonymous = await BandAsync(Factory.CreateClient(), "employer=backco&component=year3&percentiles=50");
        Assert.Equal("protected", anonymous.GetProperty("disclosure").GetString());
        Assert.Contains("the schedules in force are named in the exact tier only", anonymous.GetProperty("methodology").GetString());
    }

    [Fact]
    public async Task Compare_position_trend_chart_and_csv_take_the_year_components()
    {
        await StoreAsync();
        var client = Factory.CreateExactClient();

        var compare = await client.PostAsJsonAsync("/v1/bands/compare", new
        {
            component = "year4",
            percentiles = "25,50,75",
            segments = new[] { new { label = "back-loaded", filter = new { employer = "backco" } }, new { label = "front-loaded", filter = new { employer = "frontco" } } },
        });
        var cells = (await JsonAsync(compare)).GetProperty("cells");
        Assert.Equal(BackLoadedBands["year4"], Quartiles(cells[0]));
        Assert.Equal(FrontLoadedBands["year4"], Quartiles(cells[1]));

        // The published p50 of front-loaded year3 (184,000) ranks 50 on its grid.
        var position = await JsonAsync(await client.GetAsync("/v1/bands/position?employer=frontco&component=year3&amount=184000"));
        Assert.Equal(50m, position.GetProperty("percentileRank").GetDecimal());

        var trend = await client.GetAsync("/v1/bands/trend?employer=backco&component=year2&percentiles=25,50,75");
        var period = Assert.Single((await JsonAsync(trend)).GetProperty("cells").EnumerateArray());
        Assert.Equal("2024", period.GetProperty("group").GetProperty("period").GetString());
        Assert.Equal(BackLoadedBands["year2"], Quartiles(period));

        var chart = await client.GetAsync("/v1/bands/chart.svg?employer=frontco&component=year1");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Contains("year1 pay, USD", await chart.Content.ReadAsStringAsync());

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/bands?employer=frontco&component=year4&percentiles=25,50,75");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = (await (await client.SendAsync(csvRequest)).Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("n,employers,suppressed,reasons,confidence,p25,p50,p75,equityBases,component,currency,agedTo,datasetVersion", csv[0]);
        Assert.StartsWith("5,1,false,,low,136000.00,164000.00,182000.00,,year4,USD,,", csv[1]);
    }

    [Fact]
    public async Task Even_vesting_leaves_year1_as_total_plus_sign_on_and_later_years_without_it()
    {
        // Without schedules: year1 = base + grant / 4 + sign-on, year2-year4 = base + grant / 4, as total.
        var admin = Factory.CreateAdminClient();
        foreach (var (pay, signOn) in new[] { (100_000m, 5_000m), (110_000m, 0m), (120_000m, 30_000m), (130_000m, 0m), (140_000m, 20_000m) })
            await admin.PostOkAsync(Package("evenco", pay, 400_000m).With("signOnBonus", signOn));
        // total: 200,000 210,000 220,000 230,000 240,000; year1 adds the sign-ons: 205,000 210,000 250,000 230,000 260,000,
        // sorted 205,000 210,000 230,000 250,000 260,000.
        Assert.Equal([210_000m, 220_000m, 230_000m], Quartiles((await BandAsync(admin, "employer=evenco&component=total&percentiles=25,50,75")).GetProperty("cells")[0]));
        Assert.Equal([210_000m, 230_000m, 250_000m], Quartiles((await BandAsync(admin, "employer=evenco&component=year1&percentiles=25,50,75")).GetProperty("cells")[0]));
        foreach (var year in new[] { "year2", "year3", "year4" })
            Assert.Equal([210_000m, 220_000m, 230_000m], Quartiles((await BandAsync(admin, $"employer=evenco&component={year}&percentiles=25,50,75")).GetProperty("cells")[0]));
    }
}
