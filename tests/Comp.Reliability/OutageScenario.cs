using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Comp.Client;

namespace Comp.Reliability;

/// <summary>
/// Scenario 1, database outage. Two producers post 200 batches of 500 rows with the typed client
/// (each batch its own Idempotency-Key); once 30 are stored, PostgreSQL is stopped with
/// <c>pg_ctl stop -m immediate</c> for <see cref="Settings.OutageSeconds"/> and started again.
/// During the outage the probes must see ready 503, live 200, and writes and reads 503 with
/// Retry-After (never a 500); after it the API must become ready without a restart, every batch
/// must be acknowledged, and every acknowledged batch must be stored exactly once.
/// </summary>
public static class OutageScenario
{
    private const int Batches = 200;
    private const int RowsPerBatch = 500;
    private const int Producers = 2;
    private const int OutageAfterBatches = 30;

    private sealed record Ack(Guid BatchId, int Accepted, TimeSpan Took);

    public static async Task<bool> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var db = new Db(settings.Database);
        var recorder = new Recorder(settings.ApiUrl);
        var probeHttp = recorder.Http("probe");
        var runId = Rows.NewRunId();
        string Marker(int batch) => $"reliability:outage:{runId}:{batch:D3}";
        string Key(int batch) => $"outage-{runId}-{batch:D3}";

        var ready = await Probe.WaitReadyAsync(probeHttp, TimeSpan.FromSeconds(90), cancellationToken);
        if (!checks.That(ready is not null, "the API is ready before the outage"))
            return false;
        var admin = recorder.Client("admin", new CompClientOptions { ApiKey = settings.AdminKey });
        var ingest = await admin.CreateKeyAsync($"reliability-outage-{runId}", ["ingest"], cancellationToken);

        // Enough retries to outlast the outage: 8 retries, waits up to 5 s (the API's Retry-After is 5 s).
        // The circuit breaker keeps its defaults: it opens only after 10 attempts in 30 s, more than two
        // producers make while every attempt waits 5 s; an open circuit would fail calls (not retried).
        CompClientOptions Options() => new()
        {
            ApiKey = ingest.Key,
            MaxRetries = 8,
            BaseDelay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(30),
        };

        var acks = new ConcurrentDictionary<int, Ack>();
        var failures = new ConcurrentDictionary<int, string>();
        var next = -1;
        var watch = Stopwatch.StartNew();
        async Task Produce(int producer)
        {
            var client = recorder.Client($"producer-{producer}", Options());
            while (Interlocked.Increment(ref next) is var batch && batch < Batches)
            {
                var rows = Rows.Make(RowsPerBatch, Marker(batch), batch);
                var took = Stopwatch.StartNew();
                try
                {
                    var result = await client.PostBatchAsync(rows, idempotencyKey: Key(batch), cancellationToken: cancellationToken);
                    acks[batch] = new Ack(result.BatchId, result.Accepted, took.Elapsed);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failures[batch] = $"{ex.GetType().Name}: {ex.Message}";
                }
            }
        }
        var producers = Enumerable.Range(1, Producers).Select(p => Task.Run(() => Produce(p), cancellationToken)).ToArray();

        // ---- the outage ----
        while (acks.Count < OutageAfterBatches && !producers.All(p => p.IsCompleted))
            await Task.Delay(20, cancellationToken);
        var ackedBefore = acks.Count;
        var stopIssued = DateTimeOffset.UtcNow;
        var stop = await Shell.StopPostgresImmediateAsync(settings, cancellationToken);
        var stopped = DateTimeOffset.UtcNow;
        Report.Line($"t={watch.Elapsed.TotalSeconds:0.0} s: PostgreSQL stopped (-m immediate, {Report.Ms((stopped - stopIssued).TotalMilliseconds)}) after {ackedBefore} batches; exit {stop.Code}");
        checks.That(stop.Code == 0, $"pg_ctl stop -m immediate succeeded{(stop.Code == 0 ? "" : ": " + stop.Output)}");

        // Probes every second while the database is down: readiness, liveness, a write, a read.
        var probeRow = JsonSerializer.Serialize(Rows.Make(1, $"reliability:outage-probe:{runId}", 0)[0], new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        });
        var probes = new List<Task<Probe>>();
        for (var n = 0; n < settings.OutageSeconds; n++)
        {
            probes.Add(Probe.SendAsync(probeHttp, "ready", () => Probe.Get("health/ready"), TimeSpan.FromSeconds(20), cancellationToken));
            probes.Add(Probe.SendAsync(probeHttp, "live", () => Probe.Get("health/live"), TimeSpan.FromSeconds(20), cancellationToken));
            probes.Add(Probe.SendAsync(probeHttp, "write", () => Probe.PostJson("v1/datapoints", probeRow, ingest.Key, $"outage-probe-{runId}-{n}"),
                TimeSpan.FromSeconds(20), cancellationToken));
            probes.Add(Probe.SendAsync(probeHttp, "read", () => Probe.Get("v1/bands?role=data-analyst&region=us-tx"), TimeSpan.FromSeconds(20), cancellationToken));
            var wait = stopped + TimeSpan.FromSeconds(n + 1) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
        }

        var startIssued = DateTimeOffset.UtcNow;
        var start = await Shell.StartPostgresAsync(settings, cancellationToken);
        var started = DateTimeOffset.UtcNow;
        Report.Line($"t={watch.Elapsed.TotalSeconds:0.0} s: PostgreSQL started again after {Report.S(startIssued - stopped)} down (start took {Report.S(started - startIssued)}); exit {start.Code}");
        checks.That(start.Code == 0, $"PostgreSQL restarted{(start.Code == 0 ? "" : ": " + start.Output)}");
        var recovered = await Probe.WaitReadyAsync(probeHttp, TimeSpan.FromSeconds(60), cancellationToken);
        Report.Line($"/health/ready answered 200 {(recovered is { } r ? Report.S(r) : "never")} after PostgreSQL was up again (no API restart)");
        checks.That(recovered is not null, "the API became ready again without a restart");

        await Task.WhenAll(producers);
        var allProbes = await Task.WhenAll(probes);
        var elapsed = watch.Elapsed;

        // ---- what was seen ----
        // A probe counts as "during the outage" when it started after the stop and ended before the start was issued.
        var during = allProbes.Where(p => p.Start >= stopped && p.End <= startIssued).ToList();
        var straddling = allProbes.Except(during).ToList();
        Report.Line($"probes during the outage ({during.Count}; {straddling.Count} more overlapped the restart):");
        foreach (var kind in new[] { "ready", "live", "write", "read" })
        {
            var of = during.Where(p => p.Kind == kind).ToList();
            var tookMax = of.Count == 0 ? 0 : of.Max(p => p.Took.TotalMilliseconds);
            Report.Line($"  {kind,-5}: {string.Join(", ", of.GroupBy(p => p.Error ?? p.Status.ToString()).Select(g => $"{g.Key} ×{g.Count()}"))}" +
                $"{(of.Any(p => p.RetryAfter) ? $" (Retry-After on {of.Count(p => p.RetryAfter)})" : "")}, slowest {Report.Ms(tookMax)}");
        }
        Report.Line($"probes overlapping the restart: {string.Join(", ", straddling.GroupBy(p => $"{p.Kind} {p.Error ?? p.Status.ToString()}").Select(g => $"{g.Key} ×{g.Count()}"))}");

        bool All(string kind, Func<Probe, bool> ok) => during.Any(p => p.Kind == kind) && during.Where(p => p.Kind == kind).All(ok);
        checks.That(All("ready", p => p.Status == 503), "GET /health/ready answered 503 throughout the outage");
        checks.That(All("live", p => p.Status == 200), "GET /health/live answered 200 throughout the outage");
        checks.That(All("write", p => p.Status == 503 && p.RetryAfter), "POST /v1/datapoints answered 503 with Retry-After throughout the outage");
        checks.That(All("read", p => p.Status == 503 && p.RetryAfter), "GET /v1/bands answered 503 with Retry-After throughout the outage");
        checks.That(straddling.All(p => p.Status is 200 or 201 or 503), "probes overlapping the restart answered 200/201 or 503 (never 500, never a dropped connection)");

        var producerAttempts = recorder.Attempts.Where(a => a.Client.StartsWith("producer-", StringComparison.Ordinal)).ToList();
        var faulted = producerAttempts.Where(a => a.Status is not (>= 200 and < 300)).ToList();
        var retriedBatches = producerAttempts.GroupBy(a => a.IdempotencyKey).Count(g => g.Count() > 1);
        var ackTimes = acks.Values.Select(a => a.Took.TotalMilliseconds).Order().ToList();
        Report.Line($"batches: {Batches} tried ({Batches * RowsPerBatch:N0} rows), {acks.Count} acknowledged, {failures.Count} failed; " +
            $"{producerAttempts.Count} attempts: {Report.Histogram(producerAttempts)}");
        Report.Line($"faults survived by the client's retries: {faulted.Count} failed attempts over {retriedBatches} batches; " +
            $"batch latency p50 {Report.Ms(Report.Percentile(ackTimes, 50))}, max {Report.Ms(ackTimes.LastOrDefault())}; whole run {Report.S(elapsed)}");
        foreach (var (batch, error) in failures.OrderBy(f => f.Key).Take(5))
            Report.Line($"  batch {batch} failed: {error}");
        checks.That(faulted.Count > 0, "the outage reached the producers (at least one failed attempt was retried)");
        checks.That(failures.IsEmpty && acks.Count == Batches, $"every batch was acknowledged ({acks.Count}/{Batches})");
        var fiveHundreds = recorder.Attempts.Count(a => a.Status >= 500 && a.Status != 503) + allProbes.Count(p => p.Status >= 500 && p.Status != 503);
        checks.That(fiveHundreds == 0, $"no 5xx other than 503 anywhere ({fiveHundreds})");

        // ---- what was stored ----
        var stored = (await db.RowsAsync("""
                SELECT source_note, count(*)::int, count(DISTINCT batch_id)::int, min(batch_id::text)
                FROM datapoints WHERE source_note LIKE @prefix GROUP BY source_note
                """, cancellationToken, ("prefix", $"reliability:outage:{runId}:%")))
            .ToDictionary(r => int.Parse(((string)r[0]!)[^3..]), r => (Rows: (int)r[1]!, BatchIds: (int)r[2]!, BatchId: Guid.Parse((string)r[3]!)));
        var storedBatchIds = await db.RowsAsync("SELECT batch_id, count(*)::int FROM datapoints WHERE api_key_id = @key AND batch_id IS NOT NULL GROUP BY batch_id",
            cancellationToken, ("key", ingest.Id));
        var expectedRows = acks.Values.Sum(a => a.Accepted);
        var storedRows = stored.Values.Sum(s => s.Rows);
        var wrongBatches = acks.Where(a => !stored.TryGetValue(a.Key, out var s) || s.Rows != RowsPerBatch || s.BatchIds != 1 || s.BatchId != a.Value.BatchId).ToList();
        var lost = acks.Sum(a => Math.Max(0, RowsPerBatch - (stored.TryGetValue(a.Key, out var s) ? s.Rows : 0)));
        var unackedPresent = stored.Keys.Where(k => !acks.ContainsKey(k)).ToList();
        var probeRows = await db.ScalarAsync<long>("SELECT count(*) FROM datapoints WHERE source_note = @note", cancellationToken, ("note", $"reliability:outage-probe:{runId}"));
        Report.Line($"stored: {storedRows:N0} rows in {storedBatchIds.Count} batches (expected {expectedRows:N0} = {RowsPerBatch} × {acks.Count} acknowledged); " +
            $"rows lost {lost}; probe writes stored {probeRows} (of {allProbes.Count(p => p.Kind == "write" && p.Status == 201)} answered 201)");
        checks.That(acks.Values.Select(a => a.BatchId).Distinct().Count() == acks.Count, "every acknowledged batch has its own batchId");
        checks.That(wrongBatches.Count == 0, $"every acknowledged batch is stored once: {RowsPerBatch} rows under its own batchId ({wrongBatches.Count} not)");
        checks.That(lost == 0, $"rows lost = {lost}");
        checks.That(storedRows == expectedRows && storedBatchIds.Count == acks.Count && storedBatchIds.All(b => (int)b[1]! == RowsPerBatch),
            $"total rows = {RowsPerBatch} × acknowledged batches, no batch stored twice ({storedRows:N0} rows, {storedBatchIds.Count} batch ids)");
        checks.That(unackedPresent.Count == 0, $"no unacknowledged batch left rows behind ({unackedPresent.Count})");
        checks.That(probeRows == allProbes.Count(p => p.Kind == "write" && p.Status == 201), "a probe write stored a row only when it was answered 201");
        return checks.Passed;
    }
}
