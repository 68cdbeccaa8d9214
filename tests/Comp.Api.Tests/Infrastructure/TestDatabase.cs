using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run on: the connection string in <c>COMP_TEST_PG</c> when set
/// (as <c>deploy/local/test.sh</c> does), else a Testcontainers PostgreSQL when Docker answers,
/// else a failure that says what to do. Never SQLite, never an in-memory provider: the tests
/// are about PostgreSQL's answers.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "COMP_TEST_PG";

    private PostgreSqlContainer? container;
    private string? serverConnectionString;

    /// <summary>The connection string of this run's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; } = $"comp_test_{Guid.NewGuid():N}"[..24];

    public async Task CreateAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(serverConnectionString))
        {
            try
            {
                container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await container.StartAsync();
                serverConnectionString = container.GetConnectionString();
            }
            catch (DockerUnavailableException ex)
            {
                throw new InvalidOperationException(
                    $"No PostgreSQL for the tests: set {EnvironmentVariable} to a server's connection string " +
                    "(e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres), or run the tests with " +
                    "deploy/local/test.sh, which starts a throwaway server. Docker is not available either: " + ex.Message, ex);
            }
        }

        // A fresh database per run: nothing left over from an earlier run can pass a test.
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (serverConnectionString is not null && container is null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(serverConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        if (container is not null)
            await container.DisposeAsync();
    }
}
