using System.Text.Json;
using Comp.Api.Data;
using Comp.Api.Data.DemoData;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features;

/// <summary>The demo dataset reproduces the public 2024 figures (SPEC §6) under the disclosure rules.</summary>
public sealed class DemoDataTests(CompApiFactory factory) : ApiTest(factory)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var scope = Factory.Services.CreateAsyncScope();
        var added = await DemoDataset.LoadAsync(scope.ServiceProvider.GetRequiredService<CompDbContext>(), CancellationToken.None);
        Assert.Equal(DemoDataset.Rows().Count, added);
    }

    /// <summary>
    /// The exact tier's cell: these tests check what the dataset holds against the article's figures. The protected
    /// tier's noise (a new Privacy:Key every run) moved a figure out of its range in about 3.5% of keys (DeepMind's p90,
    /// 142 of 4,000 simulated keys); its utility has tests of its own (ProtectedUtilityTests).
    /// </summary>
    private async Task<JsonElement> CellAsync(string query)
    {
        var band = await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?" + query));
        var cell = Assert.Single(band.GetProperty("cells").EnumerateArray());
        Assert.False(cell.GetProperty("suppressed").GetBoolean(), $"{query} is suppressed: {cell}");
        return cell.GetProperty("percentiles");
    }

    [Fact]
    public async Task ML_engineers_in_California_earn_130k_to_240k_base_as_Glassdoor_says()
    {
        var p = await CellAsync("role=ml-engineer&region=us-ca&component=base");
        Assert.InRange(p.GetProperty("p10").GetDecimal(), 130_000m * 0.95m, 130_000m * 1.05m);
        Assert.InRange(p.GetProperty("p90").GetDecimal(), 240_000m * 0.95m, 240_000m * 1.05m);
    }

    [Fact]
    public async Task Research_scientists_at_OpenAI_make_5M_to_10M_a_year()
    {
        var p = await CellAsync("role=research-scientist&employer=openai&component=total");
        Assert.InRange(p.GetProperty("p50").GetDecimal(), 5_000_000m, 10_000_000m);
    }

    [Fact]
    public async Task Research_scientists_at_Meta_make_1M_to_2M_a_year()
    {
        var p = await CellAsync("role=research-scientist&employer=meta&component=total");
        Assert.InRange(p.GetProperty("p50").GetDecimal(), 1_000_000m, 2_000_000m);
    }

    [Fact]
    public async Task Google_DeepMind_retention_grants_run_from_hundreds_of_thousands_to_millions_a_year()
    {
        var p = await CellAsync("employer=google-deepmind&component=retention");
        Assert.InRange(p.GetProperty("p10").GetDecimal(), 300_000m, 1_000_000m);
        Assert.InRange(p.GetProperty("p90").GetDecimal(), 2_000_000m, 4_000_000m);
    }

    [Fact]
    public async Task Research_scientists_across_labs_form_a_published_multi_employer_band()
    {
        var p = await CellAsync("role=research-scientist&component=total");
        Assert.True(p.GetProperty("p50").GetDecimal() > 1_000_000m);
    }

    [Fact]
    public async Task The_Paris_research_hire_is_paid_in_EUR_and_counts_in_the_USD_Meta_band()
    {
        Assert.Equal("EUR", await Factory.ScalarAsync<string>("SELECT currency FROM datapoints WHERE region = 'fr-idf-paris'"));
        var band = await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?role=research-scientist&employer=meta"));
        Assert.Equal(31, Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("n").GetInt32());
        var rate = Assert.Single(band.GetProperty("conversion").GetProperty("ratesUsed").EnumerateArray());
        Assert.Equal("2024-04-01", rate.GetProperty("date").GetString());
    }

    [Fact]
    public async Task Demo_data_loaded_by_an_earlier_version_gets_the_vesting_defaults_and_attributes_it_lacked()
    {
        // As an earlier version left it: no default, no attributes, Google's datapoints vesting evenly.
        await using (var connection = await Factory.OpenAsync())
        {
            await using var command = new Npgsql.NpgsqlCommand(
                "UPDATE employers SET equity_vesting_default = NULL, industry = NULL, stage = NULL, headcount = NULL, hq = NULL WHERE slug = 'google'; " +
                "UPDATE datapoints SET equity_vesting_schedule = NULL, equity_schedule_from_employer = false WHERE employer_id = (SELECT id FROM employers WHERE slug = 'google')",
                connection);
            await command.ExecuteNonQueryAsync();
        }
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug = 'google' AND d.equity_schedule_from_employer"));

        await using var scope = Factory.Services.CreateAsyncScope();
        var added = await DemoDataset.LoadAsync(scope.ServiceProvider.GetRequiredService<CompDbContext>(), CancellationToken.None);

        Assert.Equal(0, added);
        Assert.Equal("33,33,22,12", await Factory.ScalarAsync<string>("SELECT array_to_string(equity_vesting_default::int[], ',') FROM employers WHERE slug = 'google'"));
        Assert.Equal("big-tech", await Factory.ScalarAsync<string>("SELECT industry FROM employers WHERE slug = 'google'"));
        Assert.True(await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug = 'google' AND d.equity_schedule_from_employer") > 0);
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug = 'google' AND d.equity_grant IS NOT NULL AND d.equity_vesting_years = 4 AND NOT d.equity_schedule_from_employer"));
    }

    [Fact]
    public async Task Demo_employers_ship_their_level_mappings()
    {
        var meta = await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/meta/levels"));
        Assert.Equal("L4", meta.GetProperty("levels").GetProperty("E5").GetString());
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug = 'meta' AND d.employer_level IS NULL"));
    }

    [Fact]
    public async Task Every_demo_datapoint_names_its_source()
    {
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE source_note IS NULL OR source_note = ''"));
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints WHERE source_note NOT LIKE '%Glassdoor%' AND source_note NOT LIKE '%The Information%'"));
    }

    [Fact]
    public async Task Loading_the_demo_twice_adds_nothing()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        Assert.Equal(0, await DemoDataset.LoadAsync(scope.ServiceProvider.GetRequiredService<CompDbContext>(), CancellationToken.None));
    }

    /// <summary>
    /// Issue 17's demo: Google's equity front-loaded 33/33/22/12, Meta's and OpenAI's even over four
    /// years, all as the employers' defaults; OpenAI's PPUs as profit units; DeepMind's packages with
    /// retention grants as retention packages. Google's ML engineers are paid more in year 1 than in
    /// year 4 (33% of the grant against 12%); Meta's differ by their sign-ons only.
    /// </summary>
    [Fact]
    public async Task Demo_employers_vest_as_commonly_reported()
    {
        var google = await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/google/vesting"));
        Assert.Equal("[33.0000,33.0000,22.0000,12.0000]", google.GetProperty("equity").GetRawText());
        Assert.Equal("[25.0000,25.0000,25.0000,25.0000]", (await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/meta/vesting"))).GetProperty("equity").GetRawText());
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug IN ('google', 'meta', 'openai') AND NOT d.equity_schedule_from_employer"));
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE e.slug NOT IN ('google', 'meta', 'openai') AND d.equity_vesting_schedule IS NOT NULL"));
        Assert.Equal(0L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE (e.slug = 'openai') <> (d.equity_basis IS NOT DISTINCT FROM 'profit_units')"));
        Assert.Equal(30L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE package_type = 'retention' AND retention_grant IS NOT NULL"));
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE (package_type = 'retention') <> (retention_grant IS NOT NULL)"));

        var exact = Factory.CreateExactClient();
        async Task<decimal> MedianAsync(string query) =>
            Assert.Single((await JsonAsync(await exact.GetAsync("/v1/bands?percentiles=50&" + query))).GetProperty("cells").EnumerateArray()).GetProperty("percentiles").GetProperty("p50").GetDecimal();
        Assert.True(await MedianAsync("role=ml-engineer&employer=google&component=year1") > await MedianAsync("role=ml-engineer&employer=google&component=year4") * 1.1m);
        Assert.Equal(await MedianAsync("role=ml-engineer&employer=meta&component=total"), await MedianAsync("role=ml-engineer&employer=meta&component=year4"));
        var retention = Assert.Single((await JsonAsync(await exact.GetAsync("/v1/bands?employer=google-deepmind&groupBy=packageType&percentiles=50"))).GetProperty("cells").EnumerateArray());
        Assert.Equal("retention", retention.GetProperty("group").GetProperty("packageType").GetString());
    }
}
