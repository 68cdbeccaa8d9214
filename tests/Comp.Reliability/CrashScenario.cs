using System.Diagnostics;
using System.Globalization;
using Comp.Client;
using Npgsql;

namespace Comp.Reliability;

/// <summary>
/// Scenario 2, crash. A batch of 50,000 rows is sent and the API process is killed with SIGKILL
/// while it is in flight — round 1 at a random 300–800 ms after sending (reading and validating
/// the body), round 2 as soon as PostgreSQL shows its COPY, round 3 after the COPY and before the
/// commit: a trigger the scenario puts on idempotency_records (in the throwaway database only)
/// holds the transaction's last statement, the UPDATE of the key's record, for 5 s, and the kill
/// comes while pg_stat_activity shows it. After each kill the batch must be wholly
/// present or wholly absent (and its idempotency record with it); the API is started again and
/// the batch re-sent with the same Idempotency-Key must be stored exactly once. This scenario
/// starts and kills its own API processes (their pid in RELIABILITY_RUN_DIR/crash-api.pid).
/// </summary>
public static class CrashScenario
{
    private const int RowsPerBatch = 50_000;
    private static readonly string[] Modes = ["upload", "copy", "before-commit"];

    /// <summary>Holds the UPDATE that completes a "-stall" key's idempotency record: all rows copied, nothing committed.</summary>
    private const string StallTrigger = """
        CREATE OR REPLACE FUNCTION reliability_stall() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$;
        DROP TRIGGER IF EXISTS reliability_stall ON idempotency_records;
        CREATE TRIGGER reliability_stall BEFORE UPDATE ON idempotency_records
            FOR EACH ROW WHEN (NEW.key LIKE '%-stall') EXECUTE FUNCTION reliability_stall();
        """;

    public static async Task<bool> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var db = new Db(settings.Database);
        var recorder = new Recorder(settings.ApiUrl);
        var probeHttp = recorder.Http("probe");
        var random = new Random(settings.Seed);
        var runId = Rows.NewRunId();
        Report.Line($"seed {settings.Seed}, run {runId}");

        await using var api = new ApiProcess(settings, Path.Combine(settings.RunDir, "api-crash.log"), Path.Combine(settings.RunDir, "crash-api.pid"));
        api.Start();
        var firstReady = await Probe.WaitReadyAsync(probeHttp, TimeSpan.FromSeconds(90), cancellationToken);
        if (!checks.That(firstReady is not null, $"the API (pid {api.Pid}) became ready ({(firstReady is { } f ? Report.S(f) : "never")})"))
            return false;
        var admin = recorder.Client("admin", new CompClientOptions { ApiKey = settings.AdminKey });
        var ingest = await admin.CreateKeyAsync($"reliability-crash-{runId}", ["ingest"], cancellationToken);

        var kills = 0;
        var presentAfterKill = 0;
        for (var round = 1; round <= settings.CrashRounds; round++)
        {
            var mode = Modes[(round - 1) % Modes.Length];
            var marker = $"reliability:crash:{runId}:{round}";
            var key = $"crash-{runId}-{round}{(mode == "before-commit" ? "-stall" : "")}";
            if (mode == "before-commit")
                await db.ScalarAsync<object>(StallTrigger, cancellationToken);
            var rows = Rows.Make(RowsPerBatch, marker, round);
            Report.Line($"round {round} ({mode}): {RowsPerBatch:N0} rows, Idempotency-Key {key}");

            // No retries: the kill must end this attempt, so that the state after the crash can be looked at.
            var once = recorder.Client($"crash-{round}", new CompClientOptions { ApiKey = ingest.Key, MaxRetries = 0, AttemptTimeout = TimeSpan.FromMinutes(2) });
            // The call serializes the body before it returns its task; the clock starts when the request is on its way.
            var send = once.PostBatchAsync(rows, idempotencyKey: key, cancellationToken: cancellationToken);
            var sent = Stopwatch.StartNew();
            var seen = await WaitForKillPointAsync(settings, mode, random, send, cancellationToken);
            var answeredFirst = send.IsCompletedSuccessfully;
            var killedAt = sent.Elapsed;
            await api.KillAsync();
            kills++;
            string outcome;
            try
            {
                var result = await send;
                outcome = $"answered {result.Accepted} before the kill";
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = ex is CompApiException api500 ? $"{(int)api500.StatusCode} {api500.Title}" : ex.GetType().Name;
            }
            Report.Line($"  SIGKILL at {Report.Ms(killedAt.TotalMilliseconds)} after sending; PostgreSQL showed: {seen}; the client got: {outcome}");

            // The killed process's backend ends its transaction when it notices the closed socket; look only after that.
            var gone = await WaitForApiBackendsGoneAsync(db, TimeSpan.FromSeconds(30), cancellationToken);
            checks.That(gone, "the killed API's database sessions ended");
            if (mode == "before-commit")
                await db.ScalarAsync<object>("DROP TRIGGER IF EXISTS reliability_stall ON idempotency_records", cancellationToken);
            var afterKill = await CountAsync(db, marker, cancellationToken);
            var record = await db.ScalarAsync<int?>("SELECT status_code FROM idempotency_records WHERE api_key_id = @id AND key = @key",
                cancellationToken, ("id", ingest.Id), ("key", key));
            var present = afterKill.Rows == RowsPerBatch;
            if (present)
                presentAfterKill++;
            Report.Line($"  after the kill: {afterKill.Rows:N0} rows of the batch ({(present ? "wholly present" : afterKill.Rows == 0 ? "wholly absent" : "PARTIAL")}), " +
                $"idempotency record {(record is { } status ? $"status {status}" : "absent")}");
            checks.That(afterKill.Rows is 0 or RowsPerBatch, $"round {round}: the batch is wholly present or wholly absent after the kill ({afterKill.Rows:N0} rows)");
            checks.That(present ? record == 200 && afterKill.BatchIds == 1 : record is null,
                $"round {round}: the idempotency record is there exactly when the rows are ({(record?.ToString(CultureInfo.InvariantCulture) ?? "none")})");
            if (answeredFirst)
                checks.That(present, $"round {round}: a batch answered before the kill is stored");

            var restart = Stopwatch.StartNew();
            api.Start();
            var ready = await Probe.WaitReadyAsync(probeHttp, TimeSpan.FromSeconds(90), cancellationToken);
            Report.Line($"  API restarted (pid {api.Pid}), ready after {(ready is { } r ? Report.S(r) : "never")}");
            if (!checks.That(ready is not null, $"round {round}: the API came back after the kill"))
                return false;

            // The same batch, the same key, now with the client's retries: stored once, whatever the first attempt did.
            var retrying = recorder.Client($"retry-{round}", new CompClientOptions { ApiKey = ingest.Key, AttemptTimeout = TimeSpan.FromMinutes(2), MaxDelay = TimeSpan.FromSeconds(5) });
            var took = Stopwatch.StartNew();
            BatchResult? again = null;
            try
            {
                again = await retrying.PostBatchAsync(rows, idempotencyKey: key, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Report.Line($"  retry failed: {ex.GetType().Name}: {ex.Message}");
            }
            var retryTook = took.Elapsed;
            var afterRetry = await CountAsync(db, marker, cancellationToken);
            Report.Line($"  retry with the same key: {(again is null ? "failed" : $"accepted {again.Accepted:N0}, batch {again.BatchId}")} in {Report.S(retryTook)} " +
                $"({(present ? "answered from the idempotency record" : "stored now")}); {afterRetry.Rows:N0} rows under {afterRetry.BatchIds} batch id(s)");
            checks.That(again is { Accepted: RowsPerBatch } && afterRetry.Rows == RowsPerBatch && afterRetry.BatchIds == 1 && afterRetry.BatchId == again.BatchId,
                $"round {round}: after the retry the batch is stored exactly once ({afterRetry.Rows:N0} rows, batch ids {afterRetry.BatchIds})");
            if (present && again is not null)
                checks.That(afterKill.BatchId == again.BatchId, $"round {round}: the retry was answered with the batchId stored before the crash");

            var third = await retrying.PostBatchAsync(rows, idempotencyKey: key, cancellationToken: cancellationToken);
            var afterThird = await CountAsync(db, marker, cancellationToken);
            checks.That(third.BatchId == again?.BatchId && afterThird.Rows == RowsPerBatch, $"round {round}: a third send with the key is a replay (same batchId, still {afterThird.Rows:N0} rows)");
        }

        var total = await db.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE api_key_id = @id", cancellationToken, ("id", ingest.Id));
        var attempts = recorder.Attempts.Where(a => a.Kind == "batch").ToList();
        Report.Line($"figures: {settings.CrashRounds} batches of {RowsPerBatch:N0} rows, {kills} SIGKILLs survived, {presentAfterKill} batch(es) had committed before the kill; " +
            $"batch attempts: {Report.Histogram(attempts)}; stored {total:N0} rows (expected {(long)RowsPerBatch * settings.CrashRounds:N0}), rows lost {(long)RowsPerBatch * settings.CrashRounds - total}");
        checks.That(total == (long)RowsPerBatch * settings.CrashRounds, $"every batch is stored exactly once in the end ({total:N0} rows)");
        var serverErrors = recorder.Attempts.Count(a => a.Status >= 500);
        checks.That(serverErrors == 0, $"no 5xx answers ({serverErrors})");
        await api.StopAsync();
        return checks.Passed;
    }

    private static async Task<(int Rows, int BatchIds, Guid? BatchId)> CountAsync(Db db, string marker, CancellationToken cancellationToken)
    {
        var row = (await db.RowsAsync("SELECT count(*)::int, count(DISTINCT batch_id)::int, min(batch_id::text) FROM datapoints WHERE source_note = @marker",
            cancellationToken, ("marker", marker)))[0];
        return ((int)row[0]!, (int)row[1]!, row[2] is string id ? Guid.Parse(id) : null);
    }

    /// <summary>Waits for the moment of the round's kill; returns what PostgreSQL showed of the batch then.</summary>
    private static async Task<string> WaitForKillPointAsync(Settings settings, string mode, Random random, Task send, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(settings.Database) { ApplicationName = Db.ApplicationName, Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT pid, state, left(query, 40) FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> @me
              AND (query LIKE 'COPY datapoints%' OR query LIKE '%idempotency_records%' OR state = 'idle in transaction')
            """, connection);
        query.Parameters.AddWithValue("me", Db.ApplicationName);

        async Task<List<(int Pid, string State, string Query)>> Activity()
        {
            var rows = new List<(int, string, string)>();
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add((reader.GetInt32(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
            return rows;
        }
        static string Describe(List<(int Pid, string State, string Query)> rows) =>
            rows.Count == 0 ? "no statement of the batch" : string.Join("; ", rows.Select(r => $"'{r.Query.Split('(')[0].Trim()}…' {r.State}"));
        static bool Copying((int Pid, string State, string Query) r) => r.Query.StartsWith("COPY datapoints", StringComparison.Ordinal) && r.State == "active";

        var deadline = Stopwatch.StartNew();
        if (mode == "upload")
        {
            await Task.WhenAny(send, Task.Delay(random.Next(300, 801), cancellationToken));
            return Describe(await Activity());
        }
        Func<(int Pid, string State, string Query), bool> point = mode == "copy"
            ? Copying
            : r => r.Query.StartsWith("UPDATE idempotency_records", StringComparison.Ordinal) && r.State == "active";
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !send.IsCompleted)
        {
            var activity = await Activity();
            if (activity.Any(point))
                return Describe(activity);
            await Task.Delay(1, cancellationToken);
        }
        return send.IsCompleted ? "nothing: the batch was answered first" : $"no {mode} point within 60 s";
    }

    private static async Task<bool> WaitForApiBackendsGoneAsync(Db db, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < deadline)
        {
            var others = await db.ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> @me
                """, cancellationToken, ("me", Db.ApplicationName));
            if (others == 0)
                return true;
            await Task.Delay(50, cancellationToken);
        }
        return false;
    }
}

/// <summary>An API process of the scenario's own: started, SIGKILLed, started again; its pid in a file for the script's cleanup.</summary>
public sealed class ApiProcess(Settings settings, string log, string pidFile) : IAsyncDisposable
{
    private Process? process;

    public int Pid => process?.Id ?? 0;

    public void Start()
    {
        var dll = settings.ApiDll ?? throw new InvalidOperationException("RELIABILITY_API_DLL is not set");
        // exec: the pid is the dotnet process itself. Run from the output dir: the content root with appsettings.json.
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false };
        foreach (var argument in new[] { "-c", "exec dotnet \"$0\" --urls \"$1\" >>\"$2\" 2>&1", dll, settings.ApiUrl.TrimEnd('/'), log })
            start.ArgumentList.Add(argument);
        start.Environment["Demo__Load"] = "false";
        process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API");
        File.WriteAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILL: no shutdown, no flushing, connections dropped mid-request.</summary>
    public async Task KillAsync()
    {
        if (process is null || process.HasExited)
            return;
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM (ASP.NET Core's graceful shutdown), SIGKILL after 20 s.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited)
            return;
        await Shell.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5), CancellationToken.None);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
        File.Delete(pidFile);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        File.Delete(pidFile);
    }
}
