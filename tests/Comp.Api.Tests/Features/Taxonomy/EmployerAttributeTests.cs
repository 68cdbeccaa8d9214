using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Data;
using Comp.Api.Data.DemoData;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.Taxonomy;

/// <summary>Employer attributes (issue 18): the industry list, PATCH /v1/employers/{slug} and the employer list's filters.</summary>
public sealed class EmployerAttributeTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task<List<JsonElement>> ListAsync(string path)
    {
        var response = await Factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).EnumerateArray().ToList();
    }

    private async Task<List<string?>> SlugsAsync(string path) =>
        (await ListAsync(path)).Select(e => e.GetProperty("slug").GetString()).ToList();

    private async Task CreateEmployersAsync(params string[] slugs)
    {
        var admin = Factory.CreateAdminClient();
        foreach (var slug in slugs)
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/employers", new { slug, name = slug.ToUpperInvariant() })).StatusCode);
    }

    private Task<HttpResponseMessage> PatchAsync(string slug, string json) =>
        Factory.CreateAdminClient().PatchAsync($"/v1/employers/{slug}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Industries_are_the_seeded_list_and_an_admin_extends_it()
    {
        Assert.Equal(["ai-lab", "big-tech", "consulting", "fintech", "hardware", "public-sector", "saas"], await SlugsAsync("/v1/industries"));

        var created = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/industries", new { slug = "biotech", name = "Biotech" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var again = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/industries", new { slug = "biotech", name = "Biotech" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var industries = await ListAsync("/v1/industries");
        Assert.Equal(8, industries.Count);
        Assert.Equal("Biotech", industries.Single(i => i.GetProperty("slug").GetString() == "biotech").GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_admin_sets_attributes_and_the_list_returns_them()
    {
        await CreateEmployersAsync("labco");
        var response = await PatchAsync("labco", """{"industry":"ai-lab","stage":"private-late","headcount":"1001-5000","hq":"us-ca-sf-bay-area"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var employer = Assert.Single(await ListAsync("/v1/employers"));
        Assert.Equal("ai-lab", employer.GetProperty("industry").GetString());
        Assert.Equal("private-late", employer.GetProperty("stage").GetString());
        Assert.Equal("1001-5000", employer.GetProperty("headcount").GetString());
        Assert.Equal("us-ca-sf-bay-area", employer.GetProperty("hq").GetString());

        // A field left out keeps its value; null clears it.
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync("labco", """{"stage":"public","hq":null}""")).StatusCode);
        employer = Assert.Single(await ListAsync("/v1/employers"));
        Assert.Equal("ai-lab", employer.GetProperty("industry").GetString());
        Assert.Equal("public", employer.GetProperty("stage").GetString());
        Assert.Equal("1001-5000", employer.GetProperty("headcount").GetString());
        Assert.Equal(JsonValueKind.Null, employer.GetProperty("hq").ValueKind);
    }

    [Theory]
    [InlineData("""{"industry":"mining"}""", "industry")]
    [InlineData("""{"stage":"series-c"}""", "stage")]
    [InlineData("""{"headcount":"1000"}""", "headcount")]
    [InlineData("""{"hq":"atlantis"}""", "hq")]
    public async Task A_bad_attribute_is_a_400_naming_the_field(string body, string field)
    {
        await CreateEmployersAsync("labco");
        var response = await PatchAsync("labco", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Patching_an_unknown_employer_is_a_404()
    {
        var response = await PatchAsync("nobody", """{"stage":"public"}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Only_an_admin_sets_attributes()
    {
        await CreateEmployersAsync("labco");
        var response = await Factory.CreateClient().PatchAsync("/v1/employers/labco",
            new StringContent("""{"stage":"public"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_employer_list_filters_by_attribute_and_a_comma_list_means_any()
    {
        await CreateEmployersAsync("alpha", "beta", "gamma", "delta");
        await PatchAsync("alpha", """{"industry":"ai-lab","stage":"private-late","headcount":"1001-5000"}""");
        await PatchAsync("beta", """{"industry":"big-tech","stage":"public","headcount":"20001-plus"}""");
        await PatchAsync("gamma", """{"industry":"ai-lab","stage":"public","headcount":"20001-plus"}""");

        Assert.Equal(["alpha", "gamma"], await SlugsAsync("/v1/employers?industry=ai-lab"));
        Assert.Equal(["alpha", "beta", "gamma"], await SlugsAsync("/v1/employers?industry=ai-lab,big-tech"));
        Assert.Equal(["gamma"], await SlugsAsync("/v1/employers?industry=ai-lab&stage=public"));
        Assert.Equal(["beta", "gamma"], await SlugsAsync("/v1/employers?headcount=20001-plus"));
        Assert.Equal(["alpha", "beta", "delta", "gamma"], await SlugsAsync("/v1/employers"));
        Assert.Empty(await SlugsAsync("/v1/employers?stage=nonprofit"));

        var bad = await Factory.CreateClient().GetAsync("/v1/employers?headcount=huge");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await JsonAsync(bad)).GetProperty("errors").TryGetProperty("headcount", out _));
    }

    [Fact]
    public async Task The_demo_employers_carry_their_attributes()
    {
        await using (var scope = Factory.Services.CreateAsyncScope())
            await DemoDataset.LoadAsync(scope.ServiceProvider.GetRequiredService<CompDbContext>(), CancellationToken.None);

        Assert.Equal(["anthropic", "google-deepmind", "openai", "xai"], await SlugsAsync("/v1/employers?industry=ai-lab"));
        Assert.Equal(["apple", "google", "meta", "microsoft"], await SlugsAsync("/v1/employers?industry=big-tech"));
        Assert.Equal(["anthropic", "databricks", "openai"], await SlugsAsync("/v1/employers?stage=private-late"));
        var deepmind = (await ListAsync("/v1/employers")).Single(e => e.GetProperty("slug").GetString() == "google-deepmind");
        Assert.Equal("gb-eng-london", deepmind.GetProperty("hq").GetString());
        Assert.Equal(JsonValueKind.Null, deepmind.GetProperty("stage").ValueKind);
    }
}
