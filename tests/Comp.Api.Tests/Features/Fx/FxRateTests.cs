using System.Net;
using System.Net.Http.Json;
using System.Text;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Fx;

public sealed class FxRateTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task The_seeded_table_names_the_source_of_every_rate()
    {
        var rates = (await JsonAsync(await Factory.CreateClient().GetAsync("/v1/fx-rates?currency=EUR"))).EnumerateArray().ToList();

        Assert.Equal(["2019-01-01", "2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-04-01", "2024-05-01", "2024-06-01"],
            rates.Select(r => r.GetProperty("date").GetString()));
        Assert.Equal(1.050664634m, rates[3].GetProperty("usdPerUnit").GetDecimal());
        Assert.Contains("salary_in_usd / salary", rates[3].GetProperty("source").GetString());
        Assert.Equal("Federal Reserve G.5A, 2019 annual average", rates[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task Put_upserts_by_currency_and_date_and_moves_the_dataset_version()
    {
        var before = (await JsonAsync(await Factory.CreateClient().GetAsync("/v1/bands"))).GetProperty("datasetVersion").GetString();
        var response = await Factory.CreateAdminClient().PutAsJsonAsync("/v1/fx-rates", new object[]
        {
            new { currency = "EUR", date = "2023-01-01", usdPerUnit = 1.0817m, source = "Federal Reserve G.5A, 2023 annual average" },
            new { currency = "CHF", date = "2025-01-01", usdPerUnit = 1.1m, source = "test" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await JsonAsync(response)).GetProperty("upserted").GetInt32());
        Assert.Equal(1.0817m, await Factory.ScalarAsync<decimal>("SELECT usd_per_unit FROM fx_rates WHERE currency = 'EUR' AND date = '2023-01-01'"));
        Assert.Equal("test", await Factory.ScalarAsync<string>("SELECT source FROM fx_rates WHERE currency = 'CHF' AND date = '2025-01-01'"));
        var after = (await JsonAsync(await Factory.CreateClient().GetAsync("/v1/bands"))).GetProperty("datasetVersion").GetString();
        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData("XYZ", "2023-01-01", 1.1, "src", "[1].currency")]
    [InlineData("USD", "2023-01-01", 1.1, "src", "[1].currency")]
    [InlineData("EUR", "2023-01-01", -1, "src", "[1].usdPerUnit")]
    [InlineData("EUR", "2023-01-01", 0, "src", "[1].usdPerUnit")]
    [InlineData("EUR", "2999-01-01", 1.1, "src", "[1].date")]
    [InlineData("EUR", "2023-13-01", 1.1, "src", "[1].date")]
    [InlineData("EUR", "2023-01-01", 1.1, "", "[1].source")]
    public async Task A_bad_rate_is_a_400_naming_its_position_and_nothing_is_stored(string currency, string date, double usdPerUnit, string source, string field)
    {
        var response = await Factory.CreateAdminClient().PutAsJsonAsync("/v1/fx-rates", new object[]
        {
            new { currency = "GBP", date = "2025-01-01", usdPerUnit = 1.25m, source = "fine" },
            new { currency, date, usdPerUnit, source },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM fx_rates WHERE currency = 'GBP' AND date = '2025-01-01'"));
    }

    [Theory]
    [InlineData("{\"currency\": \"EUR\"}")]
    [InlineData("[{\"currency\": \"EUR\", ")]
    [InlineData("[{\"currency\": \"EUR\", \"date\": \"2023-01-01\", \"usdPerUnit\": 1.1, \"source\": \"s\", \"rate\": 2}]")]
    public async Task A_body_that_is_not_an_array_of_rates_is_a_400(string json)
    {
        var response = await Factory.CreateAdminClient().PutAsync("/v1/fx-rates", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Writing_rates_needs_an_admin_key()
    {
        var body = new object[] { new { currency = "EUR", date = "2023-01-01", usdPerUnit = 2m, source = "x" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().PutAsJsonAsync("/v1/fx-rates", body)).StatusCode);
        Assert.Equal(1.07309m, await Factory.ScalarAsync<decimal>("SELECT usd_per_unit FROM fx_rates WHERE currency = 'EUR' AND date = '2023-01-01'"));
    }
}
