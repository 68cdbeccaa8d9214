using System.Globalization;
using System.Net;
using Comp.Api.Tests.Infrastructure;
using Comp.Client;

namespace Comp.Api.Tests.Client;

/// <summary>The typed client against the real API on PostgreSQL: every route, typed answers, exact figures.</summary>
public sealed class ClientRouteTests(CompApiFactory factory) : ApiTest(factory)
{
    private CompClient Admin => ClientKit.Create(Factory);

    /// <summary>Ten base salaries 100k, 110k, …, 190k at acme, March 2024.</summary>
    private Task SeedTenSalariesAsync() => Factory.InsertAsync(Enumerable.Range(0, 10)
        .Select(i => new SeedRow("acme", "ml-engineer", "L4", "us-ca-sf-bay-area", "USD", new DateOnly(2024, 3, 1), 100_000m + 10_000m * i))
        .ToList());

    [Fact]
    public async Task A_datapoint_posted_through_the_client_reads_back_equal_and_can_be_retracted()
    {
        var client = Admin;

        var created = await client.PostDatapointAsync(new DatapointRequest
        {
            Employer = "google-deepmind",
            EmployerName = "Google DeepMind",
            Role = "research-scientist",
            EmployerLevel = "L6",
            Region = "us-ca-sf-bay-area",
            Currency = "USD",
            EffectiveDate = new DateOnly(2024, 4, 1),
            BaseSalary = 312_345.67m,
            EquityGrant = 4_000_000m,
            RetentionGrant = 2_400_000m,
            RetentionVestingYears = 3,
            YearsOfExperience = 7.5m,
            Source = "press_report",
            SourceNote = "The Information",
            Verified = true,
        });

        Assert.Equal("Google DeepMind", created.EmployerName);
        Assert.Equal(312_345.67m, created.BaseSalary);
        Assert.Equal(4, created.EquityVestingYears);
        Assert.Equal(3, created.RetentionVestingYears);
        Assert.Null(created.SignOnBonus);
        Assert.Equal(created, await client.GetDatapointAsync(created.Id));

        await client.DeleteDatapointAsync(created.Id);
        var gone = await Assert.ThrowsAsync<CompApiException>(() => client.GetDatapointAsync(created.Id));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
    }

    /// <summary>
    /// Issue 17 through the client: five datapoints at frontco (base 100k … 140k, equity 400k over 4
    /// years, profit units), four more without a basis; the employer's default 33/33/22/12 arrives
    /// after. Year 4 of the profit-unit ones: base + 12% of 400k = base + 48k, so 148k … 188k (p50 168k).
    /// </summary>
    [Fact]
    public async Task Vesting_defaults_year_components_and_the_basis_filter_go_through_the_client()
    {
        var client = Admin;
        DatapointRequest Grant(int i, string? basis) => ClientKit.Rows(1)[0] with
        {
            Employer = "frontco", BaseSalary = 100_000m + 10_000m * i, EquityGrant = 400_000m, EquityBasis = basis, PackageType = "current",
        };
        for (var i = 0; i < 5; i++)
            await client.PostDatapointAsync(Grant(i, "profit_units"));
        for (var i = 0; i < 4; i++)
            await client.PostDatapointAsync(Grant(i, null));
        var own = await client.PostDatapointAsync(Grant(0, null) with { EquityVestingSchedule = [5m, 15m, 40m, 40m] });
        Assert.Equal([5m, 15m, 40m, 40m], own.EquityVestingSchedule);
        Assert.Equal("current", own.PackageType);

        var put = await client.PutEmployerVestingAsync("frontco", [33m, 33m, 22m, 12m], null);
        Assert.Equal(9, put.Reapplied);
        Assert.Equal([33m, 33m, 22m, 12m], (await client.GetEmployerVestingAsync("frontco")).Equity);

        var band = await client.GetBandsAsync(new BandQuery { Employer = "frontco", EquityBasis = "profit_units", PackageType = "current", Component = "year4", Percentiles = "50" });
        Assert.Equal(168_000m, Assert.Single(band.Cells).Percentiles!["p50"]);
        Assert.Null(band.Cells[0].EquityBases); // one basis asked for
        var mixed = await client.GetBandsAsync(new BandQuery { Employer = "frontco", Component = "year1", Percentiles = "50" });
        Assert.Equal(new Dictionary<string, int?> { ["profit_units"] = 5, ["unknown"] = 5 }, Assert.Single(mixed.Cells).EquityBases);
    }

    [Fact]
    public async Task A_datapoint_posted_twice_with_one_idempotency_key_is_stored_once()
    {
        var row = ClientKit.Rows(1)[0];

        var first = await Admin.PostDatapointAsync(row, idempotencyKey: "client-single-1");
        var second = await Admin.PostDatapointAsync(row, idempotencyKey: "client-single-1");

        Assert.Equal(first, second);
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
    }

    [Fact]
    public async Task An_invalid_datapoint_throws_with_the_servers_field_errors()
    {
        var error = await Assert.ThrowsAsync<CompApiException>(() => Admin.PostDatapointAsync(ClientKit.Rows(1)[0] with { Role = "astronaut" }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The request is not valid.", error.Title);
        Assert.Contains("GET /v1/roles", Assert.Single(error.Errors["role"]));
        Assert.Contains("astronaut", error.Message);
        Assert.Contains("\"errors\"", error.Body);
    }

    [Fact]
    public async Task Bands_compare_position_trend_csv_and_charts_come_back_typed_with_the_exact_figures()
    {
        await SeedTenSalariesAsync();
        var client = Admin; // the exact tier: admin implies exact
        var query = new BandQuery { Employer = "acme", Component = "base" };

        // Type 7 over 100k…190k: p10 = 109k, p25 = 122.5k, p50 = 145k, p75 = 167.5k, p90 = 181k.
        var band = await client.GetBandsAsync(query);
        Assert.Equal(("base", "USD", (DateOnly?)null, (string?)null), (band.Component, band.Currency, band.AgedTo, band.Interval));
        Assert.StartsWith("percentile_cont (Hyndman-Fan type 7)", band.Methodology);
        Assert.Empty(band.Conversion.LeftOut);
        var cell = Assert.Single(band.Cells);
        Assert.Equal((10, 1, false), (cell.N, cell.Employers, cell.Suppressed));
        Assert.Equal(
            new Dictionary<string, decimal?> { ["p10"] = 109_000m, ["p25"] = 122_500m, ["p50"] = 145_000m, ["p75"] = 167_500m, ["p90"] = 181_000m },
            cell.Percentiles);
        Assert.True(cell.Ci!.ContainsKey("p50"));
        Assert.NotNull(cell.Confidence);

        // A comma list travels escaped and arrives whole.
        var custom = Assert.Single((await client.GetBandsAsync(query with { Percentiles = "24,33,76" })).Cells).Percentiles!;
        Assert.Equal((121_600m, 129_700m, 168_400m), (custom["p24"], custom["p33"], custom["p76"]));

        var compared = await client.CompareAsync(new CompareRequest
        {
            Component = "base",
            Segments = [new("Acme", new BandFilter { Employer = "acme" }), new("Acme in California", new BandFilter { Employer = "acme", Region = "us-ca" })],
        });
        Assert.Equal(["Acme", "Acme in California"], compared.Cells.Select(c => c.Label));
        Assert.All(compared.Cells, c => Assert.Equal(145_000m, c.Percentiles!["p50"]));

        // Weighted by company, one employer is one median, not a band: the parameter and the body field
        // arrive (incumbent-weighted, the same cut is published above).
        var byCompany = Assert.Single((await client.GetBandsAsync(query with { Weighting = "company" })).Cells);
        Assert.True(byCompany.Suppressed);
        Assert.Contains("too_few_employers", byCompany.Reasons);
        var comparedByCompany = await client.CompareAsync(new CompareRequest
        {
            Component = "base",
            Weighting = "company",
            Segments = [new("Acme", new BandFilter { Employer = "acme" })],
        });
        Assert.Contains("too_few_employers", Assert.Single(comparedByCompany.Cells).Reasons);

        var position = await client.GetPositionAsync(145_000m, query);
        Assert.Equal((145_000m, 50m, (string?)null), (position.Amount, position.PercentileRank, position.Bound));
        Assert.Equal(10, position.Cell.N);
        var below = await client.GetPositionAsync(100_000m, query);
        Assert.Equal((10m, "below"), (below.PercentileRank, below.Bound));

        var trend = await client.GetTrendAsync(query, "quarter");
        Assert.Equal("quarter", trend.Interval);
        var quarter = Assert.Single(trend.Cells);
        Assert.Equal("2024-Q1", quarter.Group["period"]);
        Assert.Equal(145_000m, quarter.Percentiles!["p50"]);

        var csv = (await client.GetBandsCsvAsync(query)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length);
        var p50 = Array.IndexOf(csv[0].Split(','), "p50");
        Assert.Equal(145_000m, decimal.Parse(csv[1].Split(',')[p50], CultureInfo.InvariantCulture));

        Assert.Contains("<svg", await client.GetChartSvgAsync(query));
        var chart = await client.PostChartSvgAsync(new CompareRequest
        {
            Component = "base",
            Segments = [new("Acme in California", new BandFilter { Employer = "acme", Region = "us-ca" })],
        });
        Assert.Contains("<svg", chart);
        Assert.Contains("Acme in California", chart);
    }

    [Fact]
    public async Task The_taxonomy_level_mappings_fx_table_and_health_go_through_the_client()
    {
        var client = Admin;

        Assert.Contains(await client.GetRolesAsync(), r => r.Slug == "ml-engineer");
        var levels = await client.GetLevelsAsync();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"L{i}"), levels.Select(l => l.Code));
        Assert.Equal(1, levels[0].Rank);
        var metros = await client.GetRegionsAsync(parent: "us-ca", kind: "metro");
        Assert.Contains(metros, r => r.Code == "us-ca-sf-bay-area");
        Assert.All(metros, r => Assert.Equal(("us-ca", "metro", "USD"), (r.Parent, r.Kind, r.Currency)));

        Assert.Equal(new Employer("mistral-ai", "Mistral AI"), await client.CreateEmployerAsync("mistral-ai", "Mistral AI"));
        Assert.Contains(new Employer("mistral-ai", "Mistral AI"), await client.GetEmployersAsync());
        var again = await Assert.ThrowsAsync<CompApiException>(() => client.CreateEmployerAsync("mistral-ai", "Mistral AI"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(new Role("applied-scientist", "Applied Scientist", "research"), await client.CreateRoleAsync("applied-scientist", "Applied Scientist", "research"));
        Assert.Contains(await client.GetRolesAsync(), r => r.Slug == "applied-scientist");
        Assert.Equal(new Region("us-ca-sacramento", "Sacramento", "us-ca", "metro", "USD"), await client.CreateRegionAsync("us-ca-sacramento", "Sacramento", "USD"));

        var put = await client.PutEmployerLevelsAsync("mistral-ai", new Dictionary<string, string> { ["IC3"] = "L4", ["IC4"] = "L5" });
        Assert.Equal(0, put.Remapped);
        var mapping = await client.GetEmployerLevelsAsync("mistral-ai");
        Assert.Equal(("mistral-ai", "L5", (int?)null), (mapping.Employer, mapping.Levels["IC4"], mapping.Remapped));
        var unknown = await Assert.ThrowsAsync<CompApiException>(() => client.GetEmployerLevelsAsync("no-such-employer"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var rate = new FxRate("EUR", new DateOnly(2024, 4, 2), 1.0777m, "client test");
        Assert.Equal(1, await client.PutFxRatesAsync([rate]));
        Assert.Contains(rate, await client.GetFxRatesAsync("EUR"));
        Assert.All(await client.GetFxRatesAsync("EUR"), r => Assert.Equal("EUR", r.Currency));

        Assert.True(await client.IsLiveAsync());
        Assert.True(await client.IsReadyAsync());
    }

    [Fact]
    public async Task Keys_created_through_the_client_carry_their_scopes_and_stop_working_when_revoked()
    {
        var admin = Admin;

        var created = await admin.CreateKeyAsync("client-test", ["read"]);
        Assert.Equal("client-test", created.Name);
        Assert.Equal(["read"], created.Scopes);
        Assert.False(string.IsNullOrEmpty(created.Key));

        var reader = ClientKit.Create(Factory, ClientKit.Fast(created.Key));
        Assert.NotEmpty(await reader.GetLevelsAsync());
        var forbidden = await Assert.ThrowsAsync<CompApiException>(() => reader.PostDatapointAsync(ClientKit.Rows(1)[0]));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var listed = Assert.Single(await admin.GetKeysAsync(), k => k.Id == created.Id);
        Assert.Null(listed.RevokedAt);

        await admin.RevokeKeyAsync(created.Id);
        var refused = await Assert.ThrowsAsync<CompApiException>(() => reader.GetLevelsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.NotNull(Assert.Single(await admin.GetKeysAsync(), k => k.Id == created.Id).RevokedAt);
    }
}
