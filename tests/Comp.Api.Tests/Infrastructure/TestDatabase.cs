using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run on: the connection string in <c>COMP_TEST_PG</c> when set
/// (as <c>deploy/local/test.sh</c> does), else a Testcontainers PostgreSQL when Docker answers
/// (<c>deploy/local/test.sh --containers</c>), else a failure that says what to do. Never SQLite,
/// never an in-memory provider: the tests are about PostgreSQL's answers.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "COMP_TEST_PG";
    public const string ReplicaEnvironmentVariable = "COMP_TEST_REPLICA_PG";

    /// <summary>The Testcontainers image; deploy/local/docker.sh reads this line to build it where no registry answers.</summary>
    public const string Image = "postgres:15-alpine";

    /// <summary>The port of the standby that <see cref="StandbyServerAsync"/> starts inside the container.</summary>
    private const ushort StandbyPort = 5433;

    /// <summary>Room for the connection pool of every test database, as deploy/local/pg.sh gives its server; a standby needs at least the primary's.</summary>
    private const int MaxConnections = 300;

    private PostgreSqlContainer? container;
    private string? serverConnectionString;
    private readonly Lock standbyLock = new();
    private Task<string>? standby;

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
                container = new PostgreSqlBuilder(Image)
                    // As deploy/local/pg.sh runs its server: a commit reaches the WAL, and so a standby, at
                    // once (the read-replica routing relies on it; Testcontainers turns it off).
                    .WithCommand("-c", "synchronous_commit=on")
                    .WithCommand("-c", $"max_connections={MaxConnections}")
                    .WithPortBinding(StandbyPort, true)
                    .Build();
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

    /// <summary>
    /// The server connection string of a streaming standby of this server: <c>COMP_TEST_REPLICA_PG</c>
    /// when set (test.sh clones one with pg_basebackup); with a Testcontainers server, a standby
    /// cloned the same way inside its container, started on first use; else a failure that says
    /// what to do.
    /// </summary>
    public Task<string> StandbyServerAsync()
    {
        if (Environment.GetEnvironmentVariable(ReplicaEnvironmentVariable) is { Length: > 0 } replica)
            return Task.FromResult(replica);
        if (container is null)
            throw new InvalidOperationException(
                $"{ReplicaEnvironmentVariable} names no streaming standby of {EnvironmentVariable}: run the tests with deploy/local/test.sh, which starts one.");
        lock (standbyLock)
            return standby ??= StartStandbyAsync(container);
    }

    private static async Task<string> StartStandbyAsync(PostgreSqlContainer container)
    {
        // As the image's postgres user (pg_ctl refuses root); the primary lets its own container
        // replicate over the socket without a password, as initdb and the official image set it.
        var script = $$"""
            set -e
            d=/var/lib/postgresql/standby
            pg_basebackup -h /var/run/postgresql -U postgres -D "$d" -R -X stream -c fast
            pg_ctl -D "$d" -l "$d.log" -w -o "-p {{StandbyPort}} -c listen_addresses='*' -c max_connections={{MaxConnections}}" start || { cat "$d.log"; exit 1; }
            """;
        var result = await container.ExecAsync(["su", "postgres", "-s", "/bin/sh", "-c", script]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"Could not start a standby in the test container (exit {result.ExitCode}): {result.Stdout}{result.Stderr}");
        return new NpgsqlConnectionStringBuilder(container.GetConnectionString())
        {
            Port = container.GetMappedPublicPort(StandbyPort),
            Database = "postgres",
        }.ConnectionString;
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
