using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Features.Bands.Sql;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Comp.Api.Features.Bands;

public static class BandStores
{
    /// <summary>
    /// The band store: the in-memory index unless <c>BandIndex:Enabled</c> is false, PostgreSQL
    /// otherwise (reading from <c>ConnectionStrings:CompRead</c> when a replica is configured; the
    /// index is always fed from the primary, where LISTEN works). Either way the cells come from
    /// the one <see cref="BandEngine"/>.
    /// </summary>
    public static IServiceCollection AddBandStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AgingOptions>(configuration.GetSection("Aging"));
        services.Configure<BandLimits>(configuration.GetSection("Bands"));
        services.AddHttpContextAccessor();
        services.AddSingleton(sp => new EmployerDirectory(sp.GetRequiredService<IHttpContextAccessor>(), sp.GetRequiredService<IServiceScopeFactory>(), sp.GetService<BandIndex>()));
        services.Configure<PrivacyOptions>(configuration.GetSection("Privacy"));
        services.AddSingleton(sp => Protection.FromOptions(
            sp.GetRequiredService<IOptions<PrivacyOptions>>().Value, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<Protection>()));
        if (configuration.GetConnectionString("CompRead") is { Length: > 0 } read)
            services.AddSingleton(new ReadReplica(NpgsqlDataSource.Create(read)));
        services.AddScoped(sp => new SqlBandStore(
            sp.GetRequiredService<CompDbContext>(), sp.GetRequiredService<IOptionsMonitor<AgingOptions>>(), sp.GetRequiredService<Protection>().Tags, sp.GetService<ReadReplica>()));

        services.Configure<BandIndexOptions>(configuration.GetSection("BandIndex"));
        var options = configuration.GetSection("BandIndex").Get<BandIndexOptions>() ?? new BandIndexOptions();
        if (!options.Enabled)
        {
            services.AddScoped<IBandStore>(sp => sp.GetRequiredService<SqlBandStore>());
            return services;
        }
        var primary = configuration.GetConnectionString("Comp")
            ?? throw new InvalidOperationException("Set the connection string ConnectionStrings:Comp (environment variable ConnectionStrings__Comp).");
        var builder = new NpgsqlConnectionStringBuilder(primary) { ApplicationName = "comp-band-index" };
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        services.AddSingleton(sp => new BandIndex(
            dataSource, sp.GetRequiredService<IOptionsMonitor<BandIndexOptions>>(), sp.GetRequiredService<Protection>().Tags, sp.GetRequiredService<LocalWrites>(), sp.GetRequiredService<ILogger<BandIndex>>()));
        // Exported when Infrastructure.Telemetry turns metrics on (OTLP or Prometheus), not otherwise.
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(BandIndex.MeterName));
        services.AddHostedService(sp => new BandIndexFeed(sp.GetRequiredService<BandIndex>(), dataSource, sp.GetRequiredService<ILogger<BandIndexFeed>>()));
        services.AddScoped<IBandStore>(sp => new IndexBandStore(
            sp.GetRequiredService<BandIndex>(), () => sp.GetRequiredService<SqlBandStore>(), sp.GetRequiredService<RequestFreshness>(),
            sp.GetRequiredService<IOptionsMonitor<AgingOptions>>(), sp.GetRequiredService<IOptionsMonitor<BandIndexOptions>>()));
        return services;
    }
}
