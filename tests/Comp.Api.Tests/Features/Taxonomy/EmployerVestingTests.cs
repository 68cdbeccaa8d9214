using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Taxonomy;

/// <summary>
/// Employer default vesting schedules (issue 17): they apply to the employer's datapoints without a
/// schedule of their own whose vesting years equal the default's length, stored before or after,
/// and follow the default when it changes, as mapped levels follow a level mapping.
/// </summary>
public sealed class EmployerVestingTests(CompApiFactory factory) : ApiTest(factory)
{
    private static Dictionary<string, object?> Grant(decimal equity, decimal baseSalary = 100_000m) =>
        Infrastructure.Datapoints.Valid(employer: "frontco", baseSalary: baseSalary).With("equityGrant", equity);

    private async Task<JsonElement> PutAsync(HttpClient admin, object body)
    {
        var response = await admin.PutAsJsonAsync("/v1/employers/frontco/vesting", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    private async Task<JsonElement> GetAsync(HttpClient admin, JsonElement created) =>
        await JsonAsync(await admin.GetAsync($"/v1/datapoints/{created.GetProperty("id")}"));

    private static string? Schedule(JsonElement datapoint, string kind = "equity") =>
        datapoint.GetProperty($"{kind}VestingSchedule") is { ValueKind: JsonValueKind.Array } s ? string.Join("/", s.EnumerateArray().Select(p => p.GetDecimal().ToString("0.##"))) : null;

    [Fact]
    public async Task A_default_applies_to_stored_and_new_datapoints_of_its_length_and_never_to_a_schedule_of_their_own()
    {
        var admin = Factory.CreateAdminClient();
        var stored = await admin.PostOkAsync(Grant(400_000m));                                       // 4 years, no schedule
        var threeYears = await admin.PostOkAsync(Grant(300_000m).With("equityVestingYears", 3));    // another length
        var own = await admin.PostOkAsync(Grant(400_000m).With("equityVestingSchedule", new[] { 10, 20, 30, 40 }));
        Assert.Null(Schedule(stored));

        var put = await PutAsync(admin, new { equity = new[] { 33, 33, 22, 12 } });

        Assert.Equal(1, put.GetProperty("reapplied").GetInt32());
        var afterPut = await GetAsync(admin, stored);
        Assert.Equal("33/33/22/12", Schedule(afterPut));
        Assert.True(afterPut.GetProperty("equityScheduleFromEmployer").GetBoolean());
        Assert.Null(Schedule(await GetAsync(admin, threeYears)));
        Assert.Equal("10/20/30/40", Schedule(await GetAsync(admin, own)));
        Assert.False((await GetAsync(admin, own)).GetProperty("equityScheduleFromEmployer").GetBoolean());

        // A new datapoint of four years takes the default in its 201 body already; one that gives its own keeps it.
        var fresh = await admin.PostOkAsync(Grant(200_000m));
        Assert.Equal("33/33/22/12", Schedule(fresh));
        Assert.True(fresh.GetProperty("equityScheduleFromEmployer").GetBoolean());

        // A new default moves both datapoints that follow the employer's, and nothing else.
        put = await PutAsync(admin, new { equity = new[] { 50, 30, 10, 10 } });
        Assert.Equal(2, put.GetProperty("reapplied").GetInt32());
        Assert.Equal("50/30/10/10", Schedule(await GetAsync(admin, stored)));
        Assert.Equal("50/30/10/10", Schedule(await GetAsync(admin, fresh)));
        Assert.Equal("10/20/30/40", Schedule(await GetAsync(admin, own)));

        // A default of another length leaves them to vest evenly; removing it does too.
        put = await PutAsync(admin, new { equity = new[] { 60, 40 } });
        Assert.Equal(2, put.GetProperty("reapplied").GetInt32());
        var evenAgain = await GetAsync(admin, stored);
        Assert.Null(Schedule(evenAgain));
        Assert.False(evenAgain.GetProperty("equityScheduleFromEmployer").GetBoolean());
        Assert.Equal("10/20/30/40", Schedule(await GetAsync(admin, own)));
        Assert.Equal(0, (await PutAsync(admin, new { equity = (int[]?)null })).GetProperty("reapplied").GetInt32());

        var defaults = await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/frontco/vesting"));
        Assert.Equal("{\"employer\":\"frontco\",\"equity\":null,\"retention\":null}", defaults.GetRawText());
    }

    [Fact]
    public async Task A_retention_default_applies_to_retention_grants_as_an_equity_default_to_equity()
    {
        var admin = Factory.CreateAdminClient();
        var stored = await admin.PostOkAsync(Grant(400_000m).With("retentionGrant", 100_000m).With("retentionVestingYears", 2));

        var put = await PutAsync(admin, new { retention = new[] { 75, 25 } });

        Assert.Equal(1, put.GetProperty("reapplied").GetInt32());
        var datapoint = await GetAsync(admin, stored);
        Assert.Equal("75/25", Schedule(datapoint, "retention"));
        Assert.True(datapoint.GetProperty("retentionScheduleFromEmployer").GetBoolean());
        Assert.Null(Schedule(datapoint));
        var defaults = await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/frontco/vesting"));
        Assert.Equal("{\"employer\":\"frontco\",\"equity\":null,\"retention\":[75.0000,25.0000]}", defaults.GetRawText());
    }

    /// <summary>
    /// Five datapoints stored with even vesting (base 98,000 … 102,000, equity 400,000 over 4 years),
    /// then the employer's default 33/33/22/12 arrives: the bands follow at once. Even, year1 and
    /// year4 are base + 100,000 (median 200,000); front-loaded, year1 = base + 132,000 (median
    /// 232,000) and year4 = base + 48,000 (median 148,000). A sixth stored after the PUT (base
    /// 100,000) takes the default too: the six medians are the mean of the two middle values, both
    /// at base 100,000. The batch route stores two more with the default.
    /// </summary>
    [Fact]
    public async Task Bands_of_stored_datapoints_follow_a_default_that_arrives_later_and_new_ones_take_it_too()
    {
        var admin = Factory.CreateAdminClient();
        foreach (var pay in new[] { 98_000m, 99_000m, 100_000m, 101_000m, 102_000m })
            await admin.PostOkAsync(Grant(400_000m, pay));
        async Task<JsonElement> CellAsync(string component) =>
            (await JsonAsync(await admin.GetAsync($"/v1/bands?employer=frontco&component={component}&percentiles=50"))).GetProperty("cells")[0];
        async Task<decimal> MedianAsync(string component) => (await CellAsync(component)).GetProperty("percentiles").GetProperty("p50").GetDecimal();
        Assert.Equal(200_000m, await MedianAsync("year1"));
        Assert.Equal(200_000m, await MedianAsync("year4"));

        await PutAsync(admin, new { equity = new[] { 33, 33, 22, 12 } });
        Assert.Equal(232_000m, await MedianAsync("year1"));
        Assert.Equal(148_000m, await MedianAsync("year4"));

        await admin.PostOkAsync(Grant(400_000m));
        Assert.Equal(232_000m, await MedianAsync("year1"));
        Assert.Equal(148_000m, await MedianAsync("year4"));
        Assert.Equal(200_000m, await MedianAsync("total")); // the grant over its years, as before

        using var batch = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch") { Content = JsonContent.Create(new[] { Grant(400_000m), Grant(400_000m) }) };
        batch.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(batch)).StatusCode);
        Assert.Equal(8, (await CellAsync("year1")).GetProperty("n").GetInt32());
        Assert.Equal(2L, await Factory.ScalarAsync<long>(
            "SELECT count(*) FROM datapoints WHERE batch_id IS NOT NULL AND equity_schedule_from_employer AND equity_vesting_schedule = '{33,33,22,12}'"));
        Assert.Equal(8L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE equity_schedule_from_employer"));
    }

    [Fact]
    public async Task Defaults_are_checked_like_schedules_and_need_an_admin_and_a_known_employer()
    {
        var admin = Factory.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/employers", new { slug = "frontco", name = "Front Co" });

        var bad = await admin.PutAsJsonAsync("/v1/employers/frontco/vesting", new { equity = new[] { 33, 33, 22 }, retention = new[] { -5, 105 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await JsonAsync(bad)).GetProperty("errors");
        Assert.Equal("The yearly percentages sum to 88; they must sum to 100 (within 0.01).", errors.GetProperty("equity")[0].GetString());
        Assert.Equal("Each yearly percentage is from 0 to 100.", errors.GetProperty("retention")[0].GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/v1/employers/nobody/vesting", new { equity = new[] { 100 } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/employers/nobody/vesting")).StatusCode);
        var reader = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.PutAsJsonAsync("/v1/employers/frontco/vesting", new { equity = new[] { 100 } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/v1/employers/frontco/vesting", new { equity = new[] { 100 }, stock = 1 })).StatusCode);
    }
}
