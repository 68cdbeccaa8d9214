using System.Net;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests.Features.Taxonomy;

public sealed class TaxonomyTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task<List<JsonElement>> ListAsync(string path)
    {
        var response = await Factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).EnumerateArray().ToList();
    }

    [Fact]
    public async Task Roles_are_the_seeded_vocabulary()
    {
        var roles = (await ListAsync("/v1/roles")).Select(r => r.GetProperty("slug").GetString()).ToList();
        Assert.Equal(["data-analyst", "data-engineer", "data-scientist", "designer", "engineering-manager", "ml-engineer",
            "product-manager", "research-engineer", "research-scientist", "software-engineer"], roles);
    }

    [Fact]
    public async Task Levels_are_the_L1_to_L9_ladder_in_order()
    {
        var levels = await ListAsync("/v1/levels");
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"L{i}"), levels.Select(l => l.GetProperty("code").GetString()));
        Assert.Equal(Enumerable.Range(1, 9), levels.Select(l => l.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task Regions_cover_every_country_and_every_US_subdivision()
    {
        Assert.Equal(249, (await ListAsync("/v1/regions?kind=country")).Count);

        var us = await ListAsync("/v1/regions?parent=us");
        var codes = us.Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Equal(57, us.Count(r => r.GetProperty("kind").GetString() == "subdivision")); // 50 states, DC, 6 outlying areas
        Assert.Contains("us-dc", codes);
        Assert.Contains("us-pr", codes);
        Assert.All(us, r => Assert.Equal("USD", r.GetProperty("currency").GetString()));

        var california = await ListAsync("/v1/regions?parent=us-ca");
        var bayArea = Assert.Single(california, r => r.GetProperty("code").GetString() == "us-ca-sf-bay-area");
        Assert.Equal("metro", bayArea.GetProperty("kind").GetString());
        Assert.Equal("us-ca", bayArea.GetProperty("parent").GetString());

        var france = (await ListAsync("/v1/regions?kind=country")).Single(r => r.GetProperty("code").GetString() == "fr");
        Assert.Equal("EUR", france.GetProperty("currency").GetString());
    }

    [Theory]
    [InlineData("/v1/regions?parent=atlantis", "parent")]
    [InlineData("/v1/regions?kind=city", "kind")]
    public async Task A_bad_region_filter_is_a_400_naming_it(string path, string field)
    {
        var response = await Factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Employers_appear_once_ingested()
    {
        Assert.Empty(await ListAsync("/v1/employers"));
        await Factory.CreateAdminClient().PostOkAsync(Infrastructure.Datapoints.Valid(employer: "openai").With("employerName", "OpenAI"));

        var employer = Assert.Single(await ListAsync("/v1/employers"));
        Assert.Equal("openai", employer.GetProperty("slug").GetString());
        Assert.Equal("OpenAI", employer.GetProperty("name").GetString());
    }
}
