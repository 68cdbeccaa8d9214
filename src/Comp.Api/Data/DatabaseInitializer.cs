using Comp.Api.Data.DemoData;
using Comp.Api.Data.Seed;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.Extensions.Options;

namespace Comp.Api.Data;

public sealed class DatabaseOptions
{
    /// <summary>Apply pending migrations when the service starts (default true).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

public sealed class DemoOptions
{
    /// <summary>Load the 2024 AI-market demo dataset at start-up if it is not there yet.</summary>
    public bool Load { get; set; }
}

/// <summary>
/// Prepares the database before the server takes requests: migrations and the reference data they
/// seed (inside the execution strategy, so a transient failure retries the whole step), the
/// bootstrap admin key, the demo data.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes,
    IOptions<DatabaseOptions> database,
    IOptions<DemoOptions> demo,
    IEnumerable<IDatabaseStartupTask> tasks,
    ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        if (database.Value.MigrateOnStartup)
            await MigrateAsync(db, logger, cancellationToken);
        foreach (var task in tasks)
            await task.RunAsync(db, cancellationToken);
        if (demo.Value.Load)
        {
            var added = await DemoDataset.LoadAsync(db, cancellationToken);
            logger.LogInformation("Demo dataset: {Added} datapoints added", added);
        }
    }

    /// <summary>
    /// Applies pending migrations, then adds the reference data the database lacks
    /// (<see cref="TaxonomySeed.UseCompSeeding"/>): EF Core runs the seeding in the same
    /// transaction, every time, so start-up and <c>migrate</c> seed alike.
    /// </summary>
    public static async Task MigrateAsync(CompDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0)
                logger.LogInformation("Applying migrations: {Migrations}", string.Join(", ", pending));
            await db.Database.MigrateAsync(ct);
        }, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DataExtensions
{
    public static IServiceCollection AddCompData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Comp")
            ?? throw new InvalidOperationException("Set the connection string ConnectionStrings:Comp (environment variable ConnectionStrings__Comp).");
        services.AddDbContext<CompDbContext>(options => options
            .UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(2), errorCodesToAdd: null))
            .UseSnakeCaseNamingConvention()
            .UseCompSeeding());
        // The freshness check's own pool: one tiny statement, single-flight (see PrimaryWatch).
        // Prepared once per connection: the statement runs back to back under load, and PostgreSQL then parses and plans it no more.
        var watch = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "comp-freshness", MaxAutoPrepare = 2, AutoPrepareMinUsages = 1 };
        services.AddSingleton(new PrimaryWatch(NpgsqlDataSource.Create(watch.ConnectionString)));
        services.AddScoped<RequestFreshness>();
        services.AddSingleton<LocalWrites>();
        services.Configure<DatabaseOptions>(configuration.GetSection("Database"));
        services.Configure<DemoOptions>(configuration.GetSection("Demo"));
        services.AddHostedService<DatabaseInitializer>();
        services.AddHealthChecks()
            .AddCheck("database", new DatabaseHealthCheck(connectionString), tags: ["ready"]);
        return services;
    }
}

/// <summary>
/// Readiness: one connection and <c>SELECT 1</c>, without the execution strategy's retries, so an
/// outage answers 503 within the probe's timeout instead of after the retries.
/// </summary>
public sealed class DatabaseHealthCheck(string connectionString) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Timeout = 2 };
            await using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The database cannot be reached.", ex);
        }
    }
}
