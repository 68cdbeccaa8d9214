using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Taxonomy;

public sealed class EmployerLevelTests(CompApiFactory factory) : ApiTest(factory)
{
    private static Dictionary<string, object?> MetaDatapoint(string? employerLevel, string? level = null) =>
        Infrastructure.Datapoints.Valid(employer: "meta").With("level", level).With("employerLevel", employerLevel);

    private static object Mapping(params (string Name, string Level)[] levels) =>
        new { levels = levels.ToDictionary(l => l.Name, l => l.Level) };

    private async Task<JsonElement> PutMappingAsync(HttpClient client, object body)
    {
        // The employer must exist before it can have a mapping (an unknown one is a 404).
        await client.PostAsJsonAsync("/v1/employers", new { slug = "meta", name = "Meta" });
        var response = await client.PutAsJsonAsync("/v1/employers/meta/levels", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    [Fact]
    public async Task A_mapping_that_arrives_later_gives_stored_datapoints_their_ladder_level()
    {
        var admin = Factory.CreateAdminClient();
        var e5 = await admin.PostOkAsync(MetaDatapoint("E5"));
        var e6 = await admin.PostOkAsync(MetaDatapoint("E6"));
        var unnamed = await admin.PostOkAsync(MetaDatapoint(null, level: "L3"));
        Assert.Equal(JsonValueKind.Null, e5.GetProperty("level").ValueKind);

        var put = await PutMappingAsync(admin, Mapping(("E5", "L4"), ("E6", "L5")));

        Assert.Equal(2, put.GetProperty("remapped").GetInt32());
        Assert.Equal("L4", (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{e5.GetProperty("id")}"))).GetProperty("level").GetString());
        Assert.Equal("L5", (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{e6.GetProperty("id")}"))).GetProperty("level").GetString());
        Assert.Equal("L3", (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{unnamed.GetProperty("id")}"))).GetProperty("level").GetString());
    }

    [Fact]
    public async Task Changing_a_mapping_re_maps_old_datapoints_and_says_how_many()
    {
        var admin = Factory.CreateAdminClient();
        await PutMappingAsync(admin, Mapping(("E5", "L4"), ("E6", "L5"), ("E7", "L6")));
        var e5 = await admin.PostOkAsync(MetaDatapoint("E5"));
        var e6 = await admin.PostOkAsync(MetaDatapoint("E6"));
        Assert.Equal("L4", e5.GetProperty("level").GetString());

        // E5 moves to L5, E6 stays at L5 (unchanged, not counted), E7 has no datapoint.
        var put = await PutMappingAsync(admin, Mapping(("E5", "L5"), ("E6", "L5")));

        Assert.Equal(1, put.GetProperty("remapped").GetInt32());
        Assert.Equal("L5", (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{e5.GetProperty("id")}"))).GetProperty("level").GetString());
        Assert.Equal(2L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE level = 'L5'"));

        var mapping = await JsonAsync(await Factory.CreateClient().GetAsync("/v1/employers/meta/levels"));
        Assert.Equal("{\"E5\":\"L5\",\"E6\":\"L5\"}", mapping.GetProperty("levels").GetRawText());
    }

    [Fact]
    public async Task A_name_that_leaves_the_mapping_takes_its_mapped_level_with_it_but_not_a_given_one()
    {
        var admin = Factory.CreateAdminClient();
        await PutMappingAsync(admin, Mapping(("E5", "L4"), ("E6", "L5")));
        var mapped = await admin.PostOkAsync(MetaDatapoint("E6"));
        var given = await admin.PostOkAsync(MetaDatapoint("E6", level: "L5"));

        var put = await PutMappingAsync(admin, Mapping(("E5", "L4")));

        Assert.Equal(1, put.GetProperty("remapped").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{mapped.GetProperty("id")}"))).GetProperty("level").ValueKind);
        Assert.Equal("L5", (await JsonAsync(await admin.GetAsync($"/v1/datapoints/{given.GetProperty("id")}"))).GetProperty("level").GetString());
    }

    [Fact]
    public async Task Bands_filter_and_group_by_the_mapped_ladder_level()
    {
        var admin = Factory.CreateAdminClient();
        await PutMappingAsync(admin, Mapping(("E5", "L4"), ("E6", "L5")));
        for (var i = 0; i < 5; i++)
        {
            await admin.PostOkAsync(MetaDatapoint("E5").With("baseSalary", 200_000 + 1_000 * i));
            await admin.PostOkAsync(MetaDatapoint("E6").With("baseSalary", 300_000 + 1_000 * i));
        }

        var band = await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?employer=meta&component=base&groupBy=level&percentiles=50"));
        var cells = band.GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(["L4", "L5"], cells.Select(c => c.GetProperty("group").GetProperty("level").GetString()));
        Assert.Equal([202_000.00m, 302_000.00m], cells.Select(c => c.GetProperty("percentiles").GetProperty("p50").GetDecimal()));

        var l5 = await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?employer=meta&level=L5&component=base&percentiles=50"));
        Assert.Equal(5, Assert.Single(l5.GetProperty("cells").EnumerateArray()).GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_level_name_not_in_an_existing_mapping_is_a_400_and_nothing_changes()
    {
        var admin = Factory.CreateAdminClient();
        await PutMappingAsync(admin, Mapping(("E5", "L4")));
        await admin.PostOkAsync(MetaDatapoint("E5"));

        var unknown = await admin.PostAsJsonAsync("/v1/datapoints", MetaDatapoint("E11"));
        var disagreeing = await admin.PostAsJsonAsync("/v1/datapoints", MetaDatapoint("E5", level: "L7"));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("GET /v1/employers/meta/levels", (await JsonAsync(unknown)).GetProperty("errors").GetProperty("employerLevel")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, disagreeing.StatusCode);
        Assert.True((await JsonAsync(disagreeing)).GetProperty("errors").TryGetProperty("level", out _));
        Assert.Equal("1 L4", await Factory.ScalarAsync<string>("SELECT count(*) || ' ' || min(level) FROM datapoints"));
    }

    [Fact]
    public async Task An_unknown_employer_has_no_mapping_to_read_or_write()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Factory.CreateClient().GetAsync("/v1/employers/nobody/levels")).StatusCode);
        var put = await Factory.CreateAdminClient().PutAsJsonAsync("/v1/employers/nobody/levels", Mapping(("E5", "L4")));
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_bad_mapping_is_a_400_naming_the_entry_and_writing_needs_admin()
    {
        var admin = Factory.CreateAdminClient();
        await admin.PostOkAsync(MetaDatapoint("E5"));

        var badLevel = await admin.PutAsJsonAsync("/v1/employers/meta/levels", Mapping(("E5", "L4"), ("E6", "L10")));
        Assert.Equal(HttpStatusCode.BadRequest, badLevel.StatusCode);
        Assert.True((await JsonAsync(badLevel)).GetProperty("errors").TryGetProperty("levels.E6", out _));

        var missing = await admin.PutAsJsonAsync("/v1/employers/meta/levels", new { });
        Assert.True((await JsonAsync(missing)).GetProperty("errors").TryGetProperty("levels", out _));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().PutAsJsonAsync("/v1/employers/meta/levels", Mapping(("E5", "L4")))).StatusCode);
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM employer_levels"));
    }
}
