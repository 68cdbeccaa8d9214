using System.Globalization;

namespace Comp.Reliability;

/// <summary>What the script tells a scenario, all through the environment.</summary>
public sealed record Settings
{
    /// <summary><c>RELIABILITY_API</c>: base URL of the API, e.g. http://127.0.0.1:8095.</summary>
    public required string ApiUrl { get; init; }
    /// <summary><c>RELIABILITY_ADMIN_KEY</c>: the bootstrap admin key the API was started with.</summary>
    public required string AdminKey { get; init; }
    /// <summary><c>RELIABILITY_DB</c>: Npgsql connection string of the scenario database (for checking what was stored).</summary>
    public required string Database { get; init; }
    /// <summary><c>RELIABILITY_ROOT</c>: the checkout (for deploy/local/pg.sh).</summary>
    public required string Root { get; init; }
    /// <summary><c>RELIABILITY_RUN_DIR</c>: logs and pid files of this run.</summary>
    public required string RunDir { get; init; }
    public string? PgData { get; init; }
    public string? PgBin { get; init; }
    public int PgPort { get; init; }
    /// <summary><c>RELIABILITY_API_DLL</c>: Comp.Api.dll, for the scenarios that start the API themselves.</summary>
    public string? ApiDll { get; init; }
    /// <summary><c>RELIABILITY_OUTAGE_SECONDS</c> (default 10).</summary>
    public int OutageSeconds { get; init; } = 10;
    /// <summary><c>RELIABILITY_LOAD_SECONDS</c> (default 60).</summary>
    public int LoadSeconds { get; init; } = 60;
    /// <summary><c>RELIABILITY_KEY_PER_MINUTE</c>: the RateLimits:KeyPerMinute the load scenario's API runs with (default 600).</summary>
    public int KeyPerMinute { get; init; } = 600;
    /// <summary><c>RELIABILITY_API2</c>: the budget scenario's second API process.</summary>
    public string? SecondApiUrl { get; init; }
    /// <summary><c>RELIABILITY_BUDGET</c>: the RateLimits:AnonymousPerMinute both processes of the budget scenario run with (default 60).</summary>
    public int AnonymousPerMinute { get; init; } = 60;
    /// <summary><c>RELIABILITY_CRASH_ROUNDS</c> (default 3: kill while the body is read, during the COPY, between the COPY and the commit).</summary>
    public int CrashRounds { get; init; } = 3;
    /// <summary><c>RELIABILITY_SEED</c>: seeds every random choice (default: from the clock, printed).</summary>
    public int Seed { get; init; }

    public TimeSpan BudgetFor(string scenario) => scenario switch
    {
        "outage" => TimeSpan.FromSeconds(240 + OutageSeconds),
        "crash" => TimeSpan.FromSeconds(90 + 80 * CrashRounds),
        "load" => TimeSpan.FromSeconds(150 + LoadSeconds),
        "budget" => TimeSpan.FromSeconds(150),
        _ => TimeSpan.FromMinutes(5),
    };

    public static Settings FromEnvironment()
    {
        static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set (run deploy/local/reliability.sh)");
        static string? Maybe(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        static int Int(string name, int fallback) => Maybe(name) is { } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : fallback;

        var root = Need("RELIABILITY_ROOT");
        return new Settings
        {
            ApiUrl = Need("RELIABILITY_API").TrimEnd('/') + "/",
            AdminKey = Need("RELIABILITY_ADMIN_KEY"),
            Database = Need("RELIABILITY_DB"),
            Root = root,
            RunDir = Maybe("RELIABILITY_RUN_DIR") ?? Path.Combine(root, ".local", "reliability"),
            PgData = Maybe("RELIABILITY_PG_DATA"),
            PgBin = Maybe("RELIABILITY_PG_BIN"),
            PgPort = Int("RELIABILITY_PG_PORT", 55436),
            ApiDll = Maybe("RELIABILITY_API_DLL"),
            OutageSeconds = Int("RELIABILITY_OUTAGE_SECONDS", 10),
            LoadSeconds = Int("RELIABILITY_LOAD_SECONDS", 60),
            KeyPerMinute = Int("RELIABILITY_KEY_PER_MINUTE", 600),
            CrashRounds = Int("RELIABILITY_CRASH_ROUNDS", 3),
            SecondApiUrl = Maybe("RELIABILITY_API2") is { } second ? second.TrimEnd('/') + "/" : null,
            AnonymousPerMinute = Int("RELIABILITY_BUDGET", 60),
            Seed = Int("RELIABILITY_SEED", Environment.TickCount & 0x7fffffff),
        };
    }
}
