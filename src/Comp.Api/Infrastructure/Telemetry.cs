using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Comp.Api.Infrastructure;

public sealed class TelemetryOptions
{
    /// <summary>Serve Prometheus metrics at <c>/metrics</c> (off by default: it is public once on).</summary>
    public bool PrometheusEnabled { get; set; }
}

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core, HttpClient, Npgsql and the .NET runtime (a feature adds its own
/// meter with <c>ConfigureOpenTelemetryMeterProvider</c>, as the band index does). The OTLP exporter is
/// on only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the other OTEL_* variables
/// configure it as usual); <c>/metrics</c> for Prometheus only when <c>Telemetry:PrometheusEnabled</c>.
/// Logs are structured and carry the request's trace id (ASP.NET Core's log scopes).
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddCompTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.Configure<TelemetryOptions>(configuration.GetSection("Telemetry"));
        var otlp = !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!otlp && !options.PrometheusEnabled)
            return services;

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "comp-api"))
            .WithMetrics(metrics =>
            {
                // System.Runtime: the runtime's own meter (GC collections and pause time, JIT, thread pool, locks).
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter("Npgsql", "System.Runtime");
                if (options.PrometheusEnabled)
                    metrics.AddPrometheusExporter();
            });
        if (otlp)
        {
            builder.WithTracing(tracing => Npgsql.TracerProviderBuilderExtensions.AddNpgsql(tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()));
            builder.UseOtlpExporter();
        }
        return services;
    }

    public static WebApplication MapCompTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetSection("Telemetry").Get<TelemetryOptions>()?.PrometheusEnabled == true)
            app.MapPrometheusScrapingEndpoint("/metrics").WithTags("Health");
        return app;
    }
}
