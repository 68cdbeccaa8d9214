using System.Globalization;

namespace Comp.Benchmarks;

/// <summary>The command line (see <see cref="Usage"/>).</summary>
public sealed record Options
{
    public int Rows { get; init; } = 1_000_000;
    public string ApiUrl { get; init; } = "http://127.0.0.1:8096";
    public string? Key { get; init; }
    public string? Pg { get; init; }
    public int Runs { get; init; } = 100;
    public int CutSeconds { get; init; } = 30;
    public int P99Requests { get; init; } = 200;
    public int P99Seconds { get; init; } = 15;
    public string? RestartApi { get; init; }
    public int StartupTimeout { get; init; } = 900;
    public int Concurrency { get; init; } = 8;
    public int Seconds { get; init; } = 20;
    public int ServeSeconds { get; init; } = 8;
    public int ServeConnections { get; init; } = 64;
    public int ServePace { get; init; } = 50;
    public string Wrk { get; init; } = "wrk";
    public string Out { get; init; } = ".local/bench";
    public int? ApiPid { get; init; }
    public bool SkipLoad { get; init; }
    public ulong Seed { get; init; } = 20261125;
    public int BatchRows { get; init; } = 50_000;
    public string Psql { get; init; } = "psql";
    public string? Commit { get; init; }
    public string? Label { get; init; }
    public bool DescribeData { get; init; }

    /// <summary>Timed runs every cut gets whatever its budget (fewer only when --runs is lower).</summary>
    public int MinSqlRuns => Math.Min(5, Runs);
    public int MinApiRuns => Math.Min(20, Runs);

    public const string Usage = """
        Comp.Benchmarks: issue 8's side-by-side benchmark of the Comp API against PostgreSQL on the same data.

          --rows N          datapoints to generate and load (default 1000000)
          --api URL         the API (default http://127.0.0.1:8096)
          --key KEY         an admin (or ingest+exact) API key: the figure checks compare the exact tier
          --pg CONN         Npgsql connection string of the database the API uses (percentile_cont, \copy)
          --runs N          at most N timed runs per cut and side (default 100)
          --cut-seconds N   time budget per cut: past it, each side stops once it has its minimum
                            (5 SQL runs, 20 API runs, fewer if --runs is lower) (default 30)
          --restart-api CMD after the cuts, run CMD with bash: it must stop the API and start it again
                            with the same settings, printing the new pid last; then measure start-up
                            (process start to band index loaded, RSS), single-cell p99 and throughput on it.
                            The serve phase runs it once more with BENCH_API_LIMITS=default in its environment:
                            then it must start the API with the service's own rate limits
          --startup-timeout N  seconds to wait for the restarted API's index (default 900)
          --p99-requests N  API-only requests per single-cell cut after the restart (default 200)
          --p99-seconds N   time budget per cut of that re-measure (default 15)
          --concurrency N   concurrent clients in the throughput phase (default 8)
          --seconds N       length of the throughput phase (default 20)
          --serve-seconds N seconds of each line of the serve phase (wrk), and of each part of its paced client (default 8)
          --serve-connections N  wrk's connections in the serve phase (default 64, on up to 2 threads): enough to saturate two cores when a request waits on a round trip
          --serve-pace N    requests/s of the serve phase's well-behaved client, one at a time (default 50)
          --wrk PATH        the wrk binary for the serve phase (default wrk on PATH; without it the phase is skipped)
          --out DIR         where results.md and results.json go (default .local/bench)
          --api-pid PID     the API process, for VmRSS from /proc/PID/status
          --skip-load       reuse the rows already loaded (no ingest measurement)
          --seed N          seed of the dataset and of the random percentiles (default 20261125)
          --batch N         rows per batch request (default 50000, the API's maximum)
          --psql PATH       the psql binary (default psql on PATH)
          --commit TEXT     the code version measured, for the report
          --label TEXT      a free-text note for the report (e.g. the machine's name)
          --describe-data   only generate the rows and print their distributions (no API, no database)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v : throw new ArgumentException($"{name} needs a positive integer");
            o = name switch
            {
                "--rows" => o with { Rows = Int() },
                "--api" => o with { ApiUrl = Value().TrimEnd('/') },
                "--key" => o with { Key = Value() },
                "--pg" => o with { Pg = Value() },
                "--runs" => o with { Runs = Int() },
                "--cut-seconds" => o with { CutSeconds = Int() },
                "--restart-api" => o with { RestartApi = Value() },
                "--startup-timeout" => o with { StartupTimeout = Int() },
                "--p99-requests" => o with { P99Requests = Int() },
                "--p99-seconds" => o with { P99Seconds = Int() },
                "--concurrency" => o with { Concurrency = Int() },
                "--seconds" => o with { Seconds = Int() },
                "--serve-seconds" => o with { ServeSeconds = Int() },
                "--serve-connections" => o with { ServeConnections = Int() },
                "--serve-pace" => o with { ServePace = Int() },
                "--wrk" => o with { Wrk = Value() },
                "--out" => o with { Out = Value() },
                "--api-pid" => o with { ApiPid = Int() },
                "--skip-load" => o with { SkipLoad = true },
                "--seed" => o with { Seed = ulong.Parse(Value(), CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchRows = Math.Min(Int(), 50_000) },
                "--psql" => o with { Psql = Value() },
                "--commit" => o with { Commit = Value() },
                "--label" => o with { Label = Value() },
                "--describe-data" => o with { DescribeData = true },
                "-h" or "--help" => throw new ArgumentException(""),
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        if (o.DescribeData)
            return o;
        if (o.Key is null)
            throw new ArgumentException("--key is required (the batch route needs the ingest scope)");
        if (o.Pg is null)
            throw new ArgumentException("--pg is required (the same database the API uses)");
        return o;
    }
}
