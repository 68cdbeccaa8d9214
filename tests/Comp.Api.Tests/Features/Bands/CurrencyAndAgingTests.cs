using System.Net;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// SPEC §3 with the seeded FX table: EUR is 1.050664634 USD from 2022-01-01, 1.07309 from
/// 2023-01-01, 1.0810 from 2024-05-01; its earliest rate is 1.1194 (2019-01-01). NGN has none.
/// </summary>
public sealed class CurrencyAndAgingTests(CompApiFactory factory) : ApiTest(factory)
{
    private static IEnumerable<SeedRow> Rows(string currency, DateOnly date, params decimal[] salaries) =>
        salaries.Select(s => new SeedRow("acme", "ml-engineer", "L4", "fr-idf-paris", currency, date, s));

    private async Task<JsonElement> BandsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/v1/bands?" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_EUR_datapoint_counts_in_a_USD_band_at_the_rate_of_its_own_date()
    {
        // Five EUR values at each of two dates: 2022-06-01 (rate 1.050664634) and 2024-05-15 (rate 1.0810).
        await Factory.InsertAsync(Rows("EUR", new DateOnly(2022, 6, 1), 90_000, 95_000, 100_000, 105_000, 110_000)
            .Concat(Rows("EUR", new DateOnly(2024, 5, 15), 90_000, 95_000, 100_000, 105_000, 110_000)).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base&percentiles=50");

        // Sorted USD values: 94 559.82, 97 290, 99 813.14, 102 695, 105 066.46, 108 100, … → the median
        // is the mean of the 5th and 6th: (100 000 × 1.050664634 + 100 000 × 1.0810) / 2.
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.Equal(10, cell.GetProperty("n").GetInt32());
        Assert.Equal(106_583.23m, cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
        var rates = band.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray()
            .Select(r => (r.GetProperty("currency").GetString(), r.GetProperty("date").GetString(), r.GetProperty("usdPerUnit").GetDouble())).ToList();
        Assert.Equal([("EUR", "2022-01-01", 1.050664634), ("EUR", "2024-05-01", 1.0810)], rates);
        Assert.Empty(band.GetProperty("conversion").GetProperty("leftOut").EnumerateArray());
    }

    [Fact]
    public async Task A_value_older_than_every_rate_uses_the_earliest_rate()
    {
        await Factory.InsertAsync(Rows("EUR", new DateOnly(2015, 3, 1), 90_000, 95_000, 100_000, 105_000, 110_000).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base&percentiles=50");

        Assert.Equal(111_940.00m, Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        var rate = Assert.Single(band.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray());
        Assert.Equal("2019-01-01", rate.GetProperty("date").GetString());
    }

    [Fact]
    public async Task A_value_in_a_currency_without_any_rate_is_left_out_and_counted_never_converted_one_to_one()
    {
        await Factory.InsertAsync(Rows("USD", new DateOnly(2024, 3, 1), 90_000, 95_000, 100_000, 105_000, 110_000)
            .Concat(Rows("NGN", new DateOnly(2024, 3, 1), 50_000_000, 60_000_000, 70_000_000, 80_000_000, 90_000_000, 95_000_000)).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base&percentiles=50");

        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.Equal(5, cell.GetProperty("n").GetInt32());
        Assert.Equal(100_000.00m, cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
        var leftOut = Assert.Single(band.GetProperty("conversion").GetProperty("leftOut").EnumerateArray());
        Assert.Equal("NGN", leftOut.GetProperty("currency").GetString());
        Assert.Equal(6, leftOut.GetProperty("datapoints").GetInt32());
        Assert.Contains("no FX rate", leftOut.GetProperty("reason").GetString());

        // A band cannot be asked in a currency without any rate.
        var ngn = await Factory.CreateExactClient().GetAsync("/v1/bands?employer=acme&component=base&currency=NGN");
        Assert.Equal(HttpStatusCode.BadRequest, ngn.StatusCode);
        Assert.Contains("No FX rate for NGN", (await JsonAsync(ngn)).GetProperty("errors").GetProperty("currency")[0].GetString());
    }

    [Fact]
    public async Task A_small_left_out_count_is_withheld_and_a_suppressed_cell_names_no_rate()
    {
        // Two NGN values (no rate) and three EUR values: the cell of three is suppressed.
        await Factory.InsertAsync(Rows("NGN", new DateOnly(2024, 3, 1), 50_000_000, 60_000_000)
            .Concat(Rows("EUR", new DateOnly(2024, 5, 15), 90_000, 95_000, 100_000)).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base");

        Assert.True(Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("suppressed").GetBoolean());
        var leftOut = Assert.Single(band.GetProperty("conversion").GetProperty("leftOut").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, leftOut.GetProperty("datapoints").ValueKind);
        Assert.Empty(band.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray());
    }

    [Fact]
    public async Task AgedTo_grows_a_value_dated_one_year_earlier_by_the_configured_rate()
    {
        // 2023-06-01 → 2024-06-01 is 366 days (2024 is a leap year).
        await Factory.InsertAsync(Rows("USD", new DateOnly(2023, 6, 1), 80_000, 90_000, 100_000, 110_000, 120_000).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base&percentiles=50&agedTo=2024-06-01");

        var expected = Math.Round((decimal)(100_000 * Math.Pow(1.03, 366 / 365.25)), 2);
        Assert.Equal(103_006.25m, expected);
        Assert.Equal(expected, Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal("2024-06-01", band.GetProperty("agedTo").GetString());
        Assert.Equal(0.03, band.GetProperty("aging").GetProperty("annualRate").GetDouble());
        Assert.Contains("(1 + 0.03)^(days / 365.25)", band.GetProperty("methodology").GetString());
    }

    [Fact]
    public async Task The_aging_rate_comes_from_configuration()
    {
        await Factory.InsertAsync(Rows("USD", new DateOnly(2023, 6, 1), 80_000, 90_000, 100_000, 110_000, 120_000).ToList());
        await using var fivePercent = Factory.WithWebHostBuilder(b => b.UseSetting("Aging:AnnualRate", "0.05"));

        var band = await BandsAsync(fivePercent.CreateExactClient(), "employer=acme&component=base&percentiles=50&agedTo=2024-06-01");

        Assert.Equal(Math.Round((decimal)(100_000 * Math.Pow(1.05, 366 / 365.25)), 2),
            Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(0.05, band.GetProperty("aging").GetProperty("annualRate").GetDouble());
    }

    [Fact]
    public async Task Aging_applies_after_conversion()
    {
        // EUR 2022-06-01 at 1.050664634, then aged 2 years (731 days to 2024-06-01) at 3%.
        await Factory.InsertAsync(Rows("EUR", new DateOnly(2022, 6, 1), 80_000, 90_000, 100_000, 110_000, 120_000).ToList());

        var band = await BandsAsync(Factory.CreateExactClient(), "employer=acme&component=base&percentiles=50&agedTo=2024-06-01");

        Assert.Equal(Math.Round((decimal)(100_000 * 1.050664634 * Math.Pow(1.03, 731 / 365.25)), 2),
            Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal());
    }

    [Fact]
    public async Task A_bad_agedTo_is_a_400_naming_it()
    {
        var response = await Factory.CreateExactClient().GetAsync("/v1/bands?agedTo=2024-02-30");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty("agedTo", out _));
    }
}
