using System.Diagnostics;
using Comp.Benchmarks;
using Npgsql;

// Comp.Benchmarks: issue 8's benchmark. Generates a realistic dataset, loads it through the batch
// endpoint (and the same rows through psql \copy), then measures on the same data and server: band
// latency of the API against percentile_cont in PostgreSQL for six cuts, requests/s under
// concurrent clients, and the API's RSS per datapoint. Writes results.md and results.json.
// tests/Comp.Benchmarks/run.sh starts PostgreSQL and the API and runs it; see README.md here.
// Exit code 0 when every figure agreed and nothing failed, 1 otherwise, 2 on bad usage.

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
    Settings = new RunSettings(options.Rows, options.Seed, options.Runs, options.Concurrency, options.Seconds, options.BatchRows,
        options.ApiUrl, options.ApiPid, options.SkipLoad, options.Commit, options.Label),
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

var bench = new Bench(options, results, db, http);
var total = Stopwatch.StartNew();
var failed = false;
long? baseline = null, afterLoad = null, afterCuts = null;
try
{
    var machine = results.Machine = await bench.PostgreSqlAsync(results.Machine, ct);
    Console.WriteLine($"bench: {machine.Describe()}; {machine.PostgreSql}; API {options.ApiUrl}" +
        (options.ApiPid is { } pid ? $" (pid {pid})" : ""));

    baseline = Rss.Read(options.ApiPid).Rss;
    if (!options.SkipLoad)
        await bench.LoadAsync(ct);
    await bench.DescribeAsync(ct);
    afterLoad = Rss.Read(options.ApiPid).Rss;

    var cuts = Cut.Standard(PayModel.EmployersFor(options.Rows));
    await bench.CutsAsync(cuts, ct);
    afterCuts = Rss.Read(options.ApiPid).Rss;

    await bench.ThroughputAsync(cuts, ct);
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

var (final, peak) = Rss.Read(options.ApiPid);
var datapoints = results.Dataset?.RowsInDatabase ?? options.Rows;
results.Memory = new MemoryResult(options.ApiPid, baseline, afterLoad, afterCuts, final, peak, datapoints,
    final is { } f && datapoints > 0 ? (double)f / datapoints : null,
    final is { } f2 && baseline is { } b && datapoints > 0 ? (double)(f2 - b) / datapoints : null,
    (options.SkipLoad
        ? "The rows were loaded by an earlier run, so the baseline is the RSS at this run's start (after that load), not an empty API's."
        : "The baseline is the API's RSS after start-up (migrations done), before the first batch.") +
    " The API keeps no datapoints in memory today (PostgreSQL computes every band), so this is the runtime, its pools and the GC heap" +
    " left by batches and band arrays, not a per-datapoint structure.");
results.FinishedAt = DateTimeOffset.UtcNow;

await Report.WriteAsync(results, options.Out);
Console.WriteLine();
Console.WriteLine(Report.Markdown(results));
Console.WriteLine($"bench: results in {Path.GetFullPath(options.Out)}/results.md and results.json ({total.Elapsed.TotalMinutes:0.0} min)");
var mismatches = results.Cuts.Sum(c => c.Mismatches);
if (mismatches > 0)
    Console.Error.WriteLine($"bench: {mismatches} figures differ from percentile_cont");
return failed || mismatches > 0 || results.Throughput?.Errors > 0 ? 1 : 0;
