using System.Net;
using System.Net.Http.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Taxonomy;

public sealed class TaxonomyAdminTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task An_admin_adds_a_metro_whose_parent_comes_from_its_code_and_bands_roll_it_up()
    {
        var admin = Factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/v1/regions", new { code = "us-ca-sacramento", name = "Sacramento", currency = "USD" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var region = await JsonAsync(created);
        Assert.Equal("us-ca", region.GetProperty("parent").GetString());
        Assert.Equal("metro", region.GetProperty("kind").GetString());

        for (var i = 0; i < 5; i++)
            await admin.PostOkAsync(Infrastructure.Datapoints.Valid(region: "us-ca-sacramento", baseSalary: 100_000 + i));
        var band = await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?employer=acme&region=us-ca"));
        Assert.Equal(5, Assert.Single(band.GetProperty("cells").EnumerateArray()).GetProperty("n").GetInt32());
    }

    [Theory]
    [InlineData("zz-qq-nowhere", "code")]
    [InlineData("US-CA-X", "code")]
    [InlineData("us-ca-x y", "code")]
    public async Task A_region_with_a_bad_or_orphan_code_is_a_400(string code, string field)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/regions", new { code, name = "X", currency = "USD" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Adding_what_exists_is_a_409_and_adding_needs_admin()
    {
        var admin = Factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/v1/regions", new { code = "us-ca", name = "California", currency = "USD" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/v1/roles", new { slug = "ml-engineer", title = "ML", family = "engineering" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/employers", new { slug = "mistral-ai", name = "Mistral AI" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/v1/employers", new { slug = "mistral-ai", name = "Mistral" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().PostAsJsonAsync("/v1/roles", new { slug = "x", title = "X", family = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_new_role_can_be_used_at_once()
    {
        var admin = Factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/roles", new { slug = "applied-scientist", title = "Applied Scientist", family = "research" })).StatusCode);
        var created = await admin.PostOkAsync(Infrastructure.Datapoints.Valid(role: "applied-scientist"));
        Assert.Equal("applied-scientist", created.GetProperty("role").GetString());
    }
}
