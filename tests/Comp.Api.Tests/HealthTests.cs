using System.Net;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

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
    public async Task Prometheus_metrics_are_served_only_when_enabled()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Factory.CreateClient().GetAsync("/metrics")).StatusCode);

        await using var withMetrics = Factory.WithWebHostBuilder(b => b.UseSetting("Telemetry:PrometheusEnabled", "true"));
        var client = withMetrics.CreateClient();
        await client.GetAsync("/v1/roles");
        string metrics = "";
        for (var i = 0; i < 20 && !metrics.Contains("http_server_request_duration"); i++)
        {
            await Task.Delay(100);
            metrics = await client.GetStringAsync("/metrics");
        }
        Assert.Contains("http_server_request_duration_seconds", metrics);
    }

    [Fact]
    public async Task The_runtime_meter_is_served_with_the_metrics()
    {
        // GC pauses and JIT compilations: what the benchmark reads to tell a warm server from a warming one.
        await using var withMetrics = Factory.WithWebHostBuilder(b => b.UseSetting("Telemetry:PrometheusEnabled", "true"));
        var client = withMetrics.CreateClient();
        GC.Collect();
        string metrics = "";
        for (var i = 0; i < 20 && !metrics.Contains("dotnet_gc_pause_time_seconds_total"); i++)
        {
            await Task.Delay(100);
            metrics = await client.GetStringAsync("/metrics");
        }
        Assert.Contains("dotnet_gc_pause_time_seconds_total", metrics);
        Assert.Contains("dotnet_jit_compiled_methods_total", metrics);
    }

    [Fact]
    public async Task The_band_index_meter_is_served_with_the_metrics()
    {
        // The band index adds its meter itself (Telemetry knows no feature): still exported.
        await using var withMetrics = Factory.WithWebHostBuilder(b => b.UseSetting("Telemetry:PrometheusEnabled", "true"));
        var client = withMetrics.CreateClient();
        await client.GetAsync("/v1/roles");
        string metrics = "";
        for (var i = 0; i < 20 && !metrics.Contains("comp_band_index_loaded"); i++)
        {
            await Task.Delay(100);
            metrics = await client.GetStringAsync("/metrics");
        }
        Assert.Contains("comp_band_index_loaded", metrics);
        Assert.Contains("comp_band_index_datapoints", metrics);
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

    [Fact]
    public async Task Every_band_parameter_and_datapoint_field_is_described_with_an_example()
    {
        var document = await JsonAsync(await Factory.CreateClient().GetAsync("/swagger/v1/swagger.json"));

        foreach (var parameter in document.GetProperty("paths").GetProperty("/v1/bands").GetProperty("get").GetProperty("parameters").EnumerateArray())
        {
            var name = parameter.GetProperty("name").GetString();
            var description = parameter.GetProperty("description").GetString()!;
            var hasExample = parameter.TryGetProperty("example", out _) || parameter.GetProperty("schema").TryGetProperty("example", out _);
            Assert.True(hasExample || description.Contains("e.g."), $"{name} has neither an example nor an e.g. in '{description}'");
        }
        var datapoint = document.GetProperty("components").GetProperty("schemas").GetProperty("DatapointRequest").GetProperty("properties");
        foreach (var field in datapoint.EnumerateObject())
        {
            Assert.True(field.Value.TryGetProperty("description", out _), $"{field.Name} has no description");
            Assert.True(field.Value.TryGetProperty("example", out _), $"{field.Name} has no example");
        }
        Assert.Contains("1–10", datapoint.GetProperty("equityVestingYears").GetProperty("description").GetString());
        Assert.Contains("divided by", datapoint.GetProperty("equityGrant").GetProperty("description").GetString());
    }
}
