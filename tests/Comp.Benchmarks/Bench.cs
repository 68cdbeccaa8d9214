using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Comp.Client;
using Npgsql;

namespace Comp.Benchmarks;

/// <summary>The phases of one run: load, cuts, throughput, memory. Each adds to <see cref="Results"/>.</summary>
public sealed partial class Bench(Options options, Results results, NpgsqlDataSource db, HttpClient http)
{
    public const string CopySourceNote = "benchmark-copy";
    public const string WarmUpSourceNote = "benchmark-warmup";

    private readonly DatasetGenerator generator = new(options.Rows, options.Seed);
    private double agingRate = 0.03;

    private static void Say(string text) => Console.WriteLine(text);

    private static string F(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A client that reports every answer as it came: no retries, no breaker, long attempts (broad cuts at 10M take seconds).</summary>
    public static CompClient MeasuringClient(HttpClient http, string key) => new(http, new CompClientOptions
    {
        ApiKey = key,
        MaxRetries = 0,
        AttemptTimeout = TimeSpan.FromMinutes(10),
        BreakerMinimumThroughput = int.MaxValue,
        BreakerFailureRatio = 1.0,
    });

    // ---- Load ----

    public async Task LoadAsync(CancellationToken ct)
    {
        Say($"== load: {F(options.Rows)} rows, {F(generator.Employers)} employers, batches of {F(options.BatchRows)} ==");
        await EnsureEmptyAsync(ct);

        // Through the API: the typed client's batch call (JSON array, one Idempotency-Key per batch,
        // retries allowed: a retried batch is stored once). Only the calls are timed; generating the
        // next batch is not.
        var loader = new CompClient(http, new CompClientOptions
        {
            ApiKey = options.Key,
            MaxRetries = 2,
            AttemptTimeout = TimeSpan.FromMinutes(10),
        });
        // One untimed warm-up batch of 1,000 further rows (deleted with the copies below), so the API's
        // cold start (JIT, pools, caches) is not charged to the first measured batch.
        var warmUp = generator.Batch(options.Rows, 1_000).Select(r => r with { SourceNote = WarmUpSourceNote }).ToList();
        await loader.PostBatchAsync(warmUp, cancellationToken: ct);

        var batchMs = new List<double>();
        var apiTime = TimeSpan.Zero;
        long stored = 0;
        for (long from = 0; from < options.Rows; from += options.BatchRows)
        {
            var batch = generator.Batch(from, (int)Math.Min(options.BatchRows, options.Rows - from));
            var watch = Stopwatch.StartNew();
            var answer = await loader.PostBatchAsync(batch, cancellationToken: ct);
            watch.Stop();
            apiTime += watch.Elapsed;
            batchMs.Add(watch.Elapsed.TotalMilliseconds);
            stored += answer.Accepted;
            if (answer.Accepted != batch.Count)
                throw new InvalidOperationException($"batch at row {from}: {answer.Accepted} of {batch.Count} accepted");
            if (batchMs.Count % 20 == 0 || from + options.BatchRows >= options.Rows)
                Say($"  API: {F(stored)} rows in {F(apiTime.TotalSeconds, "0.0")} s ({F(stored / apiTime.TotalSeconds)} rows/s; " +
                    $"batches {string.Join(", ", batchMs.TakeLast(20).Select(ms => F(ms / 1000, "0.00")))} s)");
        }
        var api = new IngestSide($"POST /v1/datapoints/batch via CompClient, {batchMs.Count} × ≤{F(options.BatchRows)} rows (JSON)",
            stored, apiTime.TotalSeconds, stored / apiTime.TotalSeconds, new() { ["requests"] = apiTime.TotalSeconds });

        var copy = await CopyAsync(ct);

        // The copies go again, so that every cut reads the API-loaded rows only; VACUUM sets the
        // visibility map (index-only scans) and ANALYZE the statistics, as after any bulk load.
        var cleanup = Stopwatch.StartNew();
        await ExecAsync($"DELETE FROM datapoints WHERE source_note IN ('{CopySourceNote}', '{WarmUpSourceNote}')", ct);
        await ExecAsync("VACUUM (ANALYZE) datapoints", ct);
        cleanup.Stop();
        Say($"  copies deleted, VACUUM (ANALYZE) datapoints: {F(cleanup.Elapsed.TotalSeconds, "0.0")} s");

        var sortedBatches = batchMs.Order().ToArray();
        results.Ingest = new IngestResult(api, copy, api.RowsPerSecond / copy.RowsPerSecond,
            Stats.Median(sortedBatches), Stats.NearestRank(sortedBatches, 99), cleanup.Elapsed.TotalSeconds);
    }

    private async Task EnsureEmptyAsync(CancellationToken ct)
    {
        var existing = await ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE source_note LIKE 'benchmark%'", ct);
        if (existing > 0)
            throw new InvalidOperationException(
                $"the database already holds {existing:N0} benchmark rows: use --skip-load to measure them, or a fresh database");
    }

    /// <summary>
    /// The same rows through <c>psql \copy</c>: written as CSV first (not timed), then one psql run
    /// (timed from start to exit) copies them into a temporary table and inserts them into
    /// datapoints, resolving employer slugs as the API does, with source note benchmark-copy.
    /// </summary>
    private async Task<IngestSide> CopyAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(options.Out);
        var csv = Path.GetFullPath(Path.Combine(options.Out, "copy-rows.csv"));
        await using (var writer = new StreamWriter(csv, false, new UTF8Encoding(false), 1 << 20))
        {
            var line = new StringBuilder(256);
            for (long i = 0; i < options.Rows; i++)
            {
                line.Clear();
                DatasetGenerator.CsvLine(line, generator.Row(i));
                await writer.WriteAsync(line, ct);
            }
        }
        var keyId = await ScalarAsync<Guid>("SELECT api_key_id FROM datapoints WHERE source_note = 'benchmark' LIMIT 1", ct);
        var script = $"""
            \set ON_ERROR_STOP on
            \timing on
            CREATE TEMP TABLE bench_copy ({DatasetGenerator.CsvColumns});
            \copy bench_copy FROM '{csv.Replace("'", "''")}' WITH (FORMAT csv)
            INSERT INTO datapoints (id, employer_id, role, level, level_mapped, region, currency, effective_date, base_salary, target_bonus,
                sign_on_bonus, equity_grant, equity_vesting_years, retention_grant, retention_vesting_years, years_of_experience,
                source, source_note, verified, created_at, api_key_id)
            SELECT s.id, e.id, s.role, s.level, false, s.region, s.currency, s.effective_date, s.base_salary, s.target_bonus,
                s.sign_on_bonus, s.equity_grant, s.equity_vesting_years, s.retention_grant, s.retention_vesting_years, s.years_of_experience,
                s.source, '{CopySourceNote}', s.verified, now(), '{keyId}'
            FROM bench_copy s JOIN employers e ON e.slug = s.employer;

            """;
        var conn = new NpgsqlConnectionStringBuilder(options.Pg);
        var start = new ProcessStartInfo(options.Psql)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-q", "-h", conn.Host ?? "127.0.0.1", "-p", conn.Port.ToString(CultureInfo.InvariantCulture),
                     "-U", conn.Username ?? "postgres", "-d", conn.Database ?? "postgres" })
            start.ArgumentList.Add(arg);
        if (!string.IsNullOrEmpty(conn.Password))
            start.Environment["PGPASSWORD"] = conn.Password;

        var watch = Stopwatch.StartNew();
        using var psql = Process.Start(start) ?? throw new InvalidOperationException($"could not start {options.Psql}");
        var stdout = psql.StandardOutput.ReadToEndAsync(ct);
        var stderr = psql.StandardError.ReadToEndAsync(ct);
        await psql.StandardInput.WriteAsync(script);
        psql.StandardInput.Close();
        await psql.WaitForExitAsync(ct);
        watch.Stop();
        var output = await stdout;
        if (psql.ExitCode != 0)
            throw new InvalidOperationException($"psql \\copy failed ({psql.ExitCode}): {await stderr}");
        File.Delete(csv);

        var copied = await ScalarAsync<long>($"SELECT count(*) FROM datapoints WHERE source_note = '{CopySourceNote}'", ct);
        if (copied != options.Rows)
            throw new InvalidOperationException($"psql \\copy stored {copied:N0} rows, expected {options.Rows:N0}");
        // \timing prints one "Time:" line per statement: CREATE, \copy, INSERT.
        var times = TimingLine().Matches(output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 1000).ToList();
        var parts = new Dictionary<string, double>();
        if (times.Count >= 3)
        {
            parts["copy"] = times[1];
            parts["insert"] = times[2];
        }
        var seconds = watch.Elapsed.TotalSeconds;
        Say($"  psql \\copy + INSERT … SELECT: {F(copied)} rows in {F(seconds, "0.0")} s ({F(copied / seconds)} rows/s" +
            (parts.Count == 2 ? $"; \\copy {F(parts["copy"], "0.00")} s, insert {F(parts["insert"], "0.00")} s)" : ")"));
        return new IngestSide("psql \\copy (CSV) into a temporary table + INSERT … SELECT into datapoints, one psql run", copied, seconds,
            copied / seconds, parts);
    }

    [GeneratedRegex(@"^Time: ([0-9.]+) ms", RegexOptions.Multiline)]
    private static partial Regex TimingLine();

    // ---- What is loaded ----

    public async Task DescribeAsync(CancellationToken ct)
    {
        var rows = await ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE source_note = 'benchmark'", ct);
        var all = await ScalarAsync<long>("SELECT count(*) FROM datapoints", ct);
        var employers = (int)await ScalarAsync<long>("SELECT count(DISTINCT employer_id) FROM datapoints WHERE source_note = 'benchmark'", ct);
        var byCurrency = new Dictionary<string, long>();
        await using (var command = db.CreateCommand("SELECT currency, count(*) FROM datapoints GROUP BY 1 ORDER BY 2 DESC"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                byCurrency[reader.GetString(0).Trim()] = reader.GetInt64(1);
        var bytes = await ScalarAsync<long>("SELECT pg_total_relation_size('datapoints')", ct);
        var nonUsd = all == 0 ? 0 : 1.0 - byCurrency.GetValueOrDefault("USD") / (double)all;
        results.Dataset = new DatasetInfo(options.Rows, rows, generator.Employers, employers, nonUsd, byCurrency, bytes,
            $"{PayModel.FirstDate:yyyy-MM-dd} to {PayModel.LastDate:yyyy-MM-dd}", !options.SkipLoad);
        if (rows != options.Rows)
            results.Problems.Add($"the database holds {rows:N0} benchmark rows, --rows says {options.Rows:N0}");
        if (all != rows)
            results.Problems.Add($"the database holds {all - rows:N0} other datapoints besides the benchmark's; the cuts read them too");
        Say($"== data: {F(rows)} benchmark rows ({F(all)} in all), {F(employers)} employers, {nonUsd:P1} non-USD, table {bytes / 1048576.0:N0} MiB ==");
    }

    public async Task<MachineInfo> PostgreSqlAsync(MachineInfo machine, CancellationToken ct)
    {
        var version = await ScalarAsync<string>("SHOW server_version", ct);
        var settings = new Dictionary<string, string>();
        foreach (var name in new[] { "shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit", "fsync", "synchronous_commit" })
            settings[name] = await ScalarAsync<string>($"SHOW {name}", ct);
        return machine with { PostgreSql = "PostgreSQL " + version, PostgreSqlSettings = settings };
    }

    // ---- Cuts ----

    /// <summary>3 to 6 distinct percentiles 1–99, ascending: a new list every run, so no answer can come from a cache keyed by the query.</summary>
    public static List<int> RandomPercentiles(Random random)
    {
        var set = new SortedSet<int>();
        var count = 3 + random.Next(4);
        while (set.Count < count)
            set.Add(1 + random.Next(99));
        return [.. set];
    }

    public async Task CutsAsync(IReadOnlyList<Cut> cuts, CancellationToken ct)
    {
        var client = MeasuringClient(http, options.Key!);
        var random = new Random(unchecked((int)options.Seed));
        await using var connection = await db.OpenConnectionAsync(ct);

        // Warm-up: each cut once each way, untimed (plans, pools, JIT, caches of pages — the same for both sides).
        Say($"== cuts: {cuts.Count} cuts, API and percentile_cont alternating; per cut at most {options.Runs} runs a side, " +
            $"{options.CutSeconds} s, then at least {options.MinApiRuns} API and {options.MinSqlRuns} SQL runs ==");
        foreach (var cut in cuts)
        {
            var answer = await client.GetBandsAsync(cut.ApiQuery([10, 50, 90]), ct);
            if (answer.Aging is { } aging)
                agingRate = aging.AnnualRate;
        }

        foreach (var cut in cuts)
        {
            var warmPercentiles = new List<int> { 10, 50, 90 };
            var warmSql = await SqlAsync(connection, cut, warmPercentiles, ct);
            var warmApi = await client.GetBandsAsync(cut.ApiQuery(warmPercentiles), ct);
            var n = warmSql.Cells.Sum(c => (long)c.N);

            var apiMs = new List<double>();
            var sqlMs = new List<double>();
            var compared = 0;
            var mismatches = new List<string>();
            var asked = new List<List<int>>();
            var first = Agreement.Check(cut, warmPercentiles, warmApi, warmSql.Cells);
            compared += first.Compared;
            mismatches.AddRange(first.Mismatches);
            var published = first.CellsCompared;

            // Runs until the budget is spent and both sides have their minimum (or both reached --runs):
            // a percentile_cont of seconds at 10M gets its 5 runs, a fast API its 20 or more. Every run
            // in which both sides answered is checked.
            var budget = Stopwatch.StartNew();
            for (var run = 0; ; run++)
            {
                var over = budget.Elapsed.TotalSeconds >= options.CutSeconds;
                var doApi = apiMs.Count < options.Runs && (!over || apiMs.Count < options.MinApiRuns);
                var doSql = sqlMs.Count < options.Runs && (!over || sqlMs.Count < options.MinSqlRuns);
                if (!doApi && !doSql)
                    break;
                var percentiles = RandomPercentiles(random);
                asked.Add(percentiles);
                BandResponse? api = null;
                List<SqlCell>? sql = null;
                // Alternate which side goes first, so neither always finds the other's pages warm.
                for (var side = 0; side < 2; side++)
                {
                    if ((side + run) % 2 == 0 && doApi)
                    {
                        (api, var ms) = await TimeApiAsync(client, cut, percentiles, ct);
                        apiMs.Add(ms);
                    }
                    else if ((side + run) % 2 == 1 && doSql)
                    {
                        (sql, var ms) = await SqlAsync(connection, cut, percentiles, ct);
                        sqlMs.Add(ms);
                    }
                }
                if (api is not null && sql is not null)
                {
                    var outcome = Agreement.Check(cut, percentiles, api, sql);
                    compared += outcome.Compared;
                    mismatches.AddRange(outcome.Mismatches);
                }
            }

            var apiStats = LatencyStats.Of(apiMs);
            var sqlStats = LatencyStats.Of(sqlMs);
            var ratio = sqlStats.MedianMs / apiStats.MedianMs;
            var required = Acceptance.RequiredSqlOverApi(n);
            var result = new CutResult(cut.Name, cut.QueryText, n, cut.GroupBy is null, warmApi.Cells.Count, published, apiMs.Count,
                sqlMs.Count, budget.Elapsed.TotalSeconds, apiStats, sqlStats, ratio, sqlStats.P99Ms / apiStats.P99Ms, required,
                ratio >= required, compared, mismatches.Count, mismatches.Distinct().Take(20).ToList(), SuppressedByReason(warmApi), asked);
            results.Cuts.Add(result);
            Say($"  {cut.Name,-36} n {F(n),10}  API {Ms(apiStats.MedianMs)} / {Ms(apiStats.P99Ms)} ({apiMs.Count})   " +
                $"SQL {Ms(sqlStats.MedianMs)} / {Ms(sqlStats.P99Ms)} ({sqlMs.Count})   SQL/API {ratio:0.00} (bar {required:0}: " +
                $"{(result.Pass ? "pass" : "FAIL")})   {F(compared)} figures, {mismatches.Count} mismatches");
            if (result.SuppressedCellsByReason.Count > 0)
                Say($"    withheld cells: {string.Join(", ", result.SuppressedCellsByReason.Select(x => $"{x.Key} ×{x.Value}"))}");
            foreach (var m in result.MismatchExamples.Take(5))
                Say($"    MISMATCH {m}");
        }
    }

    /// <summary>The API's reasons for the cells it withheld (a cut with every cell withheld has no figure to check).</summary>
    private static Dictionary<string, int> SuppressedByReason(BandResponse answer) =>
        answer.Cells.Where(c => c.Suppressed).SelectMany(c => c.Reasons.DefaultIfEmpty("(no reason given)"))
            .GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());

    private static async Task<(BandResponse, double)> TimeApiAsync(CompClient client, Cut cut, List<int> percentiles, CancellationToken ct)
    {
        var query = cut.ApiQuery(percentiles);
        var watch = Stopwatch.StartNew();
        var answer = await client.GetBandsAsync(query, ct);
        return (answer, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The direct query, timed from sending the command to reading its last row.</summary>
    private async Task<(List<SqlCell> Cells, double Ms)> SqlAsync(NpgsqlConnection connection, Cut cut, List<int> percentiles, CancellationToken ct)
    {
        await using var command = cut.SqlCommand(percentiles, agingRate);
        command.Connection = connection;
        command.CommandTimeout = 0;
        var cells = new List<SqlCell>();
        var watch = Stopwatch.StartNew();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var n = reader.GetInt32(1);
                if (n == 0)
                    continue; // an aggregate over no rows (no groupBy): no cell
                cells.Add(new SqlCell(reader.IsDBNull(0) ? null : reader.GetString(0), n, reader.GetFieldValue<double[]>(2)));
            }
        }
        return (cells, watch.Elapsed.TotalMilliseconds);
    }

    private static string Ms(double ms) => (ms < 10 ? ms.ToString("0.00", CultureInfo.InvariantCulture) : ms.ToString("N0", CultureInfo.InvariantCulture)) + " ms";

    // ---- Throughput ----

    /// <summary>
    /// <see cref="Options.Concurrency"/> clients, each sending its next request as soon as the last
    /// answered, for <see cref="Options.Seconds"/>: a random cut of all of them with a random percentile
    /// list each time. Requests in flight at the deadline are finished and counted.
    /// </summary>
    public async Task ThroughputAsync(IReadOnlyList<Cut> cuts, CancellationToken ct)
    {
        Say($"== throughput: {options.Concurrency} clients × {options.Seconds} s, GET /v1/bands, random cut and percentiles ==");
        var client = MeasuringClient(http, options.Key!);
        var latencies = new List<(int Cut, double Ms)>[options.Concurrency];
        var errors = new Dictionary<string, long>();
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(options.Seconds);

        async Task Worker(int id)
        {
            var random = new Random(unchecked((int)options.Seed) + 1000 + id);
            var mine = latencies[id] = [];
            while (deadline.Elapsed < limit)
            {
                var c = random.Next(cuts.Count);
                var query = cuts[c].ApiQuery(RandomPercentiles(random));
                var watch = Stopwatch.StartNew();
                try
                {
                    await client.GetBandsAsync(query, ct);
                    mine.Add((c, watch.Elapsed.TotalMilliseconds));
                }
                catch (Exception ex) when (ex is CompApiException or HttpRequestException or IOException or TimeoutException
                                               or Polly.Timeout.TimeoutRejectedException)
                {
                    var kind = ex is CompApiException api ? $"HTTP {(int)api.StatusCode}" : ex.GetType().Name;
                    lock (errors)
                        errors[kind] = errors.GetValueOrDefault(kind) + 1;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(() => Worker(i), ct)));
        var elapsed = deadline.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        var sorted = all.Select(l => l.Ms).Order().ToArray();
        var byCut = cuts.Select((cut, i) => (cut.Name, Ms: all.Where(l => l.Cut == i).Select(l => l.Ms).Order().ToArray()))
            .ToDictionary(x => x.Name, x => new CutThroughput(x.Ms.Length, Stats.Median(x.Ms), Stats.NearestRank(x.Ms, 99)));
        var errorCount = errors.Values.Sum();
        results.Throughput = new ThroughputResult(options.Concurrency, elapsed, all.Count, errorCount, all.Count / elapsed,
            Stats.Median(sorted), Stats.NearestRank(sorted, 99), byCut, errors);
        Say($"  {F(all.Count)} answers in {elapsed:0.0} s: {F(all.Count / elapsed, "N1")} requests/s, p50 {Ms(Stats.Median(sorted))}, " +
            $"p99 {Ms(Stats.NearestRank(sorted, 99))}, {errorCount} errors");
        if (errorCount > 0)
            results.Problems.Add($"throughput phase: {errorCount} errors ({string.Join(", ", errors.Select(e => $"{e.Key} ×{e.Value}"))})");
    }

    // ---- Database helpers ----

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
