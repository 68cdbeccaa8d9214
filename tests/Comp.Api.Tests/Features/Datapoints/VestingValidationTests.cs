using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Datapoints;

/// <summary>The 400s of issue 17's fields, on the single and batch routes and as band filters; and what a valid one stores.</summary>
public sealed class VestingValidationTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task<JsonElement> RejectedAsync(Dictionary<string, object?> body)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/datapoints", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
        return JsonDocument.Parse(text).RootElement.GetProperty("errors");
    }

    [Fact]
    public async Task A_schedule_that_does_not_sum_to_100_is_a_400_naming_it()
    {
        var errors = await RejectedAsync(Infrastructure.Datapoints.Valid().With("equityVestingSchedule", new[] { 5, 15, 40, 30 }));
        Assert.Equal("The yearly percentages sum to 90; they must sum to 100 (within 0.01).", errors.GetProperty("equityVestingSchedule")[0].GetString());
        errors = await RejectedAsync(Infrastructure.Datapoints.Valid().With("retentionVestingSchedule", new[] { 50.02m, 50m }));
        Assert.Equal("The yearly percentages sum to 100.02; they must sum to 100 (within 0.01).", errors.GetProperty("retentionVestingSchedule")[0].GetString());
    }

    [Theory]
    [InlineData("equityVestingSchedule", "equityVestingYears")]
    [InlineData("retentionVestingSchedule", "retentionVestingYears")]
    public async Task A_schedule_contradicting_the_vesting_years_is_a_400_naming_both(string schedule, string years)
    {
        var errors = await RejectedAsync(Infrastructure.Datapoints.Valid().With(schedule, new[] { 5, 15, 40, 40 }).With(years, 3));
        var message = $"{schedule} has 4 yearly percentages but {years} is 3: a schedule's length is its vesting years. Give one of the two, or make them agree.";
        Assert.Equal(message, errors.GetProperty(schedule)[0].GetString());
        Assert.Equal(message, errors.GetProperty(years)[0].GetString());
    }

    [Theory]
    [InlineData("equityBasis", "stock_options", "Must be one of: public_rsu, private_rsu_preferred, private_rsu_409a, options_spread, profit_units, cash_lti; leave it out when the basis is unknown.")]
    [InlineData("packageType", "counter_offer", "Must be one of: new_hire, current, retention, promotion, acquisition (default new_hire).")]
    public async Task An_unknown_basis_or_package_type_is_a_400_listing_the_valid_ones(string field, string value, string message)
    {
        var errors = await RejectedAsync(Infrastructure.Datapoints.Valid().With(field, value));
        Assert.Equal(message, errors.GetProperty(field)[0].GetString());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[10,10,10,10,10,10,10,10,10,5,5]")]
    [InlineData("[null, 100]")]
    [InlineData("[33.33333, 66.66667]")]
    [InlineData("100")]
    [InlineData("[1e308]")]
    public async Task A_malformed_schedule_is_a_400_naming_it(string json)
    {
        var body = $"{{\"employer\":\"acme\",\"role\":\"ml-engineer\",\"region\":\"us-ca\",\"currency\":\"USD\",\"effectiveDate\":\"2024-03-01\",\"baseSalary\":1,\"source\":\"self_reported\",\"equityVestingSchedule\":{json}}}";
        var response = await Factory.CreateAdminClient().PostAsync("/v1/datapoints", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{json}: {(int)response.StatusCode} {text}");
        // The field, or the entry at fault (equityVestingSchedule[0] for a null or a number no decimal holds).
        Assert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject(), e => e.Name.StartsWith("equityVestingSchedule", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_schedule_sets_the_vesting_years_and_is_stored_with_basis_and_package_type()
    {
        var created = await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid()
            .With("equityGrant", 400_000m).With("equityVestingSchedule", new[] { 33.3333m, 33.3333m, 33.3334m })
            .With("equityBasis", "private_rsu_409a").With("packageType", "promotion"));

        Assert.Equal(3, created.GetProperty("equityVestingYears").GetInt32());
        Assert.Equal("[33.3333,33.3333,33.3334]", created.GetProperty("equityVestingSchedule").GetRawText());
        Assert.False(created.GetProperty("equityScheduleFromEmployer").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("retentionVestingSchedule").ValueKind);
        Assert.Equal("private_rsu_409a", created.GetProperty("equityBasis").GetString());
        Assert.Equal("promotion", created.GetProperty("packageType").GetString());

        var plain = await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid(employer: "other"));
        Assert.Equal("new_hire", plain.GetProperty("packageType").GetString());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("equityBasis").ValueKind);
    }

    [Fact]
    public async Task A_batch_lists_bad_schedules_bases_and_package_types_by_line_and_stores_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch")
        {
            Content = JsonContent.Create(new[]
            {
                Infrastructure.Datapoints.Valid().With("equityVestingSchedule", new[] { 25, 25, 25, 25 }),
                Infrastructure.Datapoints.Valid().With("equityVestingSchedule", new[] { 50, 40 }),
                Infrastructure.Datapoints.Valid().With("retentionVestingSchedule", new[] { 50, 50 }).With("retentionVestingYears", 4),
                Infrastructure.Datapoints.Valid().With("equityBasis", "rsu").With("packageType", "raise"),
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await Factory.CreateAdminClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var rejected = (await JsonAsync(response)).GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.True(rejected[0].GetProperty("errors").TryGetProperty("equityVestingSchedule", out _));
        Assert.True(rejected[1].GetProperty("errors").TryGetProperty("retentionVestingSchedule", out _));
        Assert.True(rejected[1].GetProperty("errors").TryGetProperty("retentionVestingYears", out _));
        Assert.True(rejected[2].GetProperty("errors").TryGetProperty("equityBasis", out _));
        Assert.True(rejected[2].GetProperty("errors").TryGetProperty("packageType", out _));
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
    }

    [Theory]
    [InlineData("equityBasis=public_rsu,stock", "equityBasis", "Unknown equity basis 'stock'. Must be one of: public_rsu, private_rsu_preferred, private_rsu_409a, options_spread, profit_units, cash_lti.")]
    [InlineData("packageType=raise", "packageType", "Unknown package type 'raise'. Must be one of: new_hire, current, retention, promotion, acquisition.")]
    [InlineData("groupBy=basis", "groupBy", "Cannot group by 'basis'. Group by any of: employer, role, level, region, equityBasis, packageType, industry, stage, headcount.")]
    [InlineData("component=year5", "component", "Unknown component 'year5'. Must be one of: base, bonus, equity, retention, signon, total, year1, year2, year3, year4.")]
    public async Task Band_routes_refuse_an_unknown_basis_package_type_group_or_year(string query, string field, string message)
    {
        foreach (var client in new[] { Factory.CreateClient(), Factory.CreateExactClient() })
        {
            var response = await client.GetAsync("/v1/bands?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(message, (await JsonAsync(response)).GetProperty("errors").GetProperty(field)[0].GetString());
        }
    }
}
