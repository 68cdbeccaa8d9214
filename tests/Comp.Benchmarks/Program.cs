using System.Diagnostics;
using Comp.Benchmarks;
using Npgsql;

// Comp.Benchmarks: issue 8's benchmark. Generates a realistic dataset, loads it through the batch
// endpoint (and the same rows through psql \copy), then measures on the same data and server: band
// latency of the API against percentile_cont in PostgreSQL for eight cuts, the start-up of a
// restarted API (process start to band index loaded, its RSS), single-cell latency and requests/s
// under concurrent clients on it, and the API's RSS per datapoint; then checks issue 8's acceptance. Last, issue 15's serve
// phase: requests/s under wrk, with an ingest stream, and a paced client beside hammering ones.
// Writes results.md and results.json. tests/Comp.Benchmarks/run.sh starts PostgreSQL and the API and
// runs it; see README.md here.
// Exit code 0 when every figure agreed and nothing failed, 1 otherwise, 2 on bad usage. The speed
// verdict is reported, not part of the exit code.

System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    if (ex.Message.Length > 0)
        Console.Error.WriteLine($"bench: {ex.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

if (options.DescribeData)
{
    DataSummary.Print(new DatasetGenerator(options.Rows, options.Seed));
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

var results = new Results
{
    Benchmark = "Comp issue 8: API vs PostgreSQL on the same data",
    StartedAt = DateTimeOffset.UtcNow,
    Machine = MachineInfo.Read(),
    Settings = new RunSettings(options.Rows, options.Seed, options.Runs, options.MinSqlRuns, options.MinApiRuns, options.CutSeconds,
        options.Concurrency, options.Seconds, options.BatchRows, options.ApiUrl, options.ApiPid, options.SkipLoad, options.RestartApi is not null,
        options.P99Requests, options.P99Seconds, options.Commit, options.Label, options.ServeSeconds, options.ServeConnections, options.ServePace),
};

var connection = new NpgsqlConnectionStringBuilder(options.Pg)
{
    ApplicationName = "comp-bench",
    CommandTimeout = 600,
    MaxPoolSize = 8,
};
await using var db = NpgsqlDataSource.Create(connection.ConnectionString);
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency + 4,
    PooledConnectionLifetime = TimeSpan.FromMinutes(30),
})
{
    BaseAddress = new Uri(options.ApiUrl + "/"),
    Timeout = Timeout.InfiniteTimeSpan,
};
// Every phase but serve's wrk lines measures computing answers, not the API's answer cache (a repeated request with the same
// ETag is answered from it): Cache-Control: no-cache has each answer computed afresh.
http.DefaultRequestHeaders.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };

var bench = new Bench(options, results, db, http);
var total = Stopwatch.StartNew();
var failed = false;
long? baseline = null, afterLoad = null, afterCuts = null, firstPeak = null;
(long? Rss, long? Peak)? atEnd = null;
var apiPid = options.ApiPid;
try
{
    var machine = results.Machine = await bench.PostgreSqlAsync(results.Machine, ct);
    Console.WriteLine($"bench: {machine.Describe()}; {machine.PostgreSql}; API {options.ApiUrl}" +
        (options.ApiPid is { } pid ? $" (pid {pid})" : ""));

    async Task Phase(string name, Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await run();
        }
        finally
        {
            results.PhaseSeconds[name] = Math.Round(watch.Elapsed.TotalSeconds, 1);
        }
    }

    baseline = Rss.Read(apiPid).Rss;
    if (!options.SkipLoad)
        await Phase("load", () => bench.LoadAsync(ct));
    await bench.DescribeAsync(ct);
    afterLoad = Rss.Read(apiPid).Rss;

    // The cuts on the API that took the load (warm, its index fed by the batches), then a restart: the
    // start-up from the full table, and the single-cell re-measure and throughput on that API.
    var cuts = Cut.Standard(PayModel.EmployersFor(options.Rows));
    await Phase("cuts", () => bench.CutsAsync(cuts, ct));
    (afterCuts, firstPeak) = Rss.Read(apiPid);

    await Phase("start-up", async () => apiPid = await bench.StartupAsync(apiPid, results.Dataset?.RowsInDatabase ?? options.Rows, ct));
    await Phase("single-cell", () => bench.SingleCellAsync(cuts, ct));
    await Phase("tiers", () => bench.TiersAsync(cuts, ct));
    await Phase("throughput", () => bench.ThroughputAsync(cuts, ct));
    // Last, as it writes rows (deleted again) and restarts the API with its own rate limits: the memory figures end before it.
    atEnd = Rss.Read(apiPid);
    await Phase("serve", () => bench.ServeAsync(cuts, ct));
}
catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
{
    failed = true;
    results.Problems.Add($"the run stopped: {ex.GetType().Name}: {ex.Message}");
    Console.Error.WriteLine($"bench: FAILED: {ex}");
}
catch (OperationCanceledException)
{
    failed = true;
    results.Problems.Add("the run was interrupted");
}

var (final, peak) = atEnd ?? Rss.Read(apiPid);
var datapoints = results.Dataset?.RowsInDatabase ?? options.Rows;
var restartedPid = results.Startup?.Restarted == true ? results.Startup.Pid : null;
results.Memory = new MemoryResult(options.ApiPid, baseline, afterLoad, afterCuts, firstPeak, restartedPid,
    results.Startup?.RssAfterIndexLoadedBytes, final, peak, datapoints,
    final is { } f && datapoints > 0 ? (double)f / datapoints : null,
    final is { } f2 && baseline is { } b && datapoints > 0 ? (double)(f2 - b) / datapoints : null,
    (options.SkipLoad
        ? "The rows were loaded by an earlier run, so the baseline is the RSS at this run's start (after that load), not an empty API's."
        : "The baseline is the API's RSS after start-up (migrations done), before the first batch.") +
    " With the band index on (BandIndex:Enabled=true, the default) the API also holds the datapoints' band values in the index's own " +
    "arrays (comp_band_index_bytes, in the start-up table when the metrics are served), besides the runtime, its pools and the GC heap; " +
    "with it off, PostgreSQL computes every band and the API keeps no datapoints in memory, so RSS is only the latter.");
results.Verdict = Acceptance.Of(results);
results.ServeVerdict = Acceptance.OfServe(results.Serve);
results.FinishedAt = DateTimeOffset.UtcNow;

await Report.WriteAsync(results, options.Out);
Console.WriteLine();
Console.WriteLine(Report.Markdown(results));
Console.WriteLine($"bench: results in {Path.GetFullPath(options.Out)}/results.md and results.json ({total.Elapsed.TotalMinutes:0.0} min)");
var mismatches = results.Cuts.Sum(c => c.Mismatches);
if (mismatches > 0)
    Console.Error.WriteLine($"bench: {mismatches} figures differ from percentile_cont");
return failed || mismatches > 0 || results.Throughput?.Errors > 0 ? 1 : 0;
