using System.Net;
using Comp.Api.Tests.Infrastructure;

namespace Comp.Api.Tests;

public sealed class HealthTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Liveness_and_readiness_are_healthy_with_the_database_up()
    {
        var client = Factory.CreateClient();
        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_UI_and_the_OpenAPI_document_are_served()
    {
        var client = Factory.CreateClient();
        var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());

        var document = await JsonAsync(await client.GetAsync("/swagger/v1/swagger.json"));
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/v1/datapoints", "/v1/datapoints/{id}", "/v1/bands", "/v1/employers", "/v1/roles", "/v1/levels", "/v1/regions" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _));
    }
}
