using System.Net.Http.Json;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Taxonomy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Respawn;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>
/// The API on this run's fresh database, shared by every test class of the "api" collection.
/// Tests reset the data (datapoints, employers, keys) to the migrated seed before they run.
/// </summary>
public sealed class CompApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    /// <summary>
    /// The protected tier's secret: <c>COMP_TEST_PRIVACY_KEY</c> (test.sh draws one per run and
    /// prints it), else drawn here; failures of the protection tests name it.
    /// </summary>
    public static readonly string PrivacyKey = Environment.GetEnvironmentVariable("COMP_TEST_PRIVACY_KEY") is { Length: >= 16 } key
        ? key
        : Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly TestDatabase database = new();
    private Respawner? respawner;

    public string ConnectionString => database.ConnectionString;

    /// <summary>The server connection string of a streaming standby of the test server (<see cref="TestDatabase.StandbyServerAsync"/>).</summary>
    public Task<string> StandbyServerAsync() => database.StandbyServerAsync();

    public async Task InitializeAsync()
    {
        await database.CreateAsync();
        // Starting the host applies the migrations and stores the bootstrap key.
        _ = Server;
        await using var connection = await OpenAsync();
        respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],
            TablesToIgnore = ["__EFMigrationsHistory", "roles", "levels", "regions", "industries", "fx_rates", "band_index_epoch", "datapoint_deletions", "api_keys_version", "api_key_leases"],
        });
        // The band index loads in the background; tests measure it, not the SQL store it stands in for until then.
        await Services.GetRequiredService<Comp.Api.Features.Bands.Index.BandIndex>().WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Comp", database.ConnectionString);
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Privacy:Key", PrivacyKey);
        builder.UseSetting("Demo:Load", "false");
        // The suite sends thousands of anonymous requests a minute; the limit itself has its own test.
        builder.UseSetting("RateLimits:AnonymousPerMinute", "1000000");
        // No key leases: each test class's reset empties api_keys, which would wait for them to
        // lapse. KeyLeaseTests runs instances with leases.
        builder.UseSetting("Auth:KeyLeaseMilliseconds", "0");
    }

    /// <summary>Empties the data tables and restores the bootstrap key: each test class starts from the seed.</summary>
    public async Task ResetAsync()
    {
        await using (var connection = await OpenAsync())
        {
            await respawner!.ResetAsync(connection);
            await RestoreSeedAsync(connection);
        }
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        await AuthExtensions.EnsureBootstrapKeyAsync(db, AdminKey, CancellationToken.None);
        Services.GetRequiredService<TaxonomyCache>().Invalidate();
    }

    /// <summary>
    /// Puts the seeded taxonomy and FX table back as the migrations left them, so a test that
    /// adds a role or a rate cannot leak it into the next.
    /// </summary>
    private static async Task RestoreSeedAsync(NpgsqlConnection connection)
    {
        var seed = Comp.Api.Data.Seed.TaxonomySeed.FxRates;
        var roles = Comp.Api.Data.Seed.TaxonomySeed.Roles.Select(r => r.Slug).ToArray();
        var regions = Comp.Api.Data.Seed.TaxonomySeed.Regions.Select(r => r.Code).ToArray();
        var industries = Comp.Api.Data.EmployerAttributes.SeedIndustries.Select(i => i.Slug).ToArray();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM fx_rates"),
                new NpgsqlBatchCommand("INSERT INTO fx_rates (currency, date, usd_per_unit, source) SELECT * FROM unnest(@c, @d, @u, @s)")
                {
                    Parameters =
                    {
                        new("c", seed.Select(r => r.Currency).ToArray()),
                        new("d", seed.Select(r => r.Date).ToArray()),
                        new("u", seed.Select(r => r.UsdPerUnit).ToArray()),
                        new("s", seed.Select(r => r.Source).ToArray()),
                    },
                },
                new NpgsqlBatchCommand("DELETE FROM roles WHERE slug <> ALL(@r)") { Parameters = { new("r", roles) } },
                new NpgsqlBatchCommand("DELETE FROM industries WHERE slug <> ALL(@i)") { Parameters = { new("i", industries) } },
                new NpgsqlBatchCommand("DELETE FROM regions WHERE code <> ALL(@g) AND NOT EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = regions.code)") { Parameters = { new("g", regions) } },
            },
        };
        await batch.ExecuteNonQueryAsync();
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// A client whose answers are the exact tier's: it sends the bootstrap admin key (admin implies
    /// <c>exact</c>). Tests of exact figures use it; anonymous clients get protected figures.
    /// </summary>
    public HttpClient CreateExactClient() => CreateAdminClient();

    /// <summary>A client that sends the bootstrap admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeySecrets.HeaderName, AdminKey);
        return client;
    }

    /// <summary>Runs one scalar query on the test database.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CompApiFactory>
{
    public const string Name = "api";
}

/// <summary>
/// Base of every API test class. xunit builds the class anew for each test, so the data is reset
/// before every test: no test depends on what another left behind.
/// </summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(CompApiFactory factory) : IAsyncLifetime
{
    protected CompApiFactory Factory { get; } = factory;

    public virtual Task InitializeAsync() => Factory.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static async Task<System.Text.Json.JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
}

public static class ExactClients
{
    /// <summary>
    /// A client of a derived factory (<c>WithWebHostBuilder</c>) whose answers are the exact tier's:
    /// it sends the bootstrap admin key, which implies <c>exact</c>.
    /// </summary>
    public static HttpClient CreateExactClient(this WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeySecrets.HeaderName, CompApiFactory.AdminKey);
        return client;
    }
}
