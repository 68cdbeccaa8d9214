using System.Collections.Concurrent;
using System.Diagnostics;
using Comp.Client;

namespace Comp.Reliability;

/// <summary>
/// Scenario 3, load. For <see cref="Settings.LoadSeconds"/> seconds, on loopback, against the demo
/// data: six anonymous readers as fast as they are answered (bands with varying filters,
/// percentiles, currencies and groupings, compares, positions, trends), two writers posting
/// batches of 200 rows with ingest keys of their own (paced to 40% of RateLimits:KeyPerMinute),
/// and one client that overruns its key's limit on purpose (3× the limit per window) and must
/// get 429 with Retry-After. Passes when nothing but that client's 429s failed — no 5xx, no
/// dropped connection, no timeout, no unintended 429 — and the datapoints added are exactly the
/// acknowledged batches. Readers are anonymous because the per-IP anonymous limit would
/// otherwise count every client on 127.0.0.1 as one; the script raises it for this run.
/// </summary>
public static class LoadScenario
{
    private const int Readers = 6;
    private const int Writers = 2;
    private const int RowsPerBatch = 200;

    private sealed record Call(string Client, string Kind, double Ms, bool Ok);

    public static async Task<bool> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var db = new Db(settings.Database);
        var recorder = new Recorder(settings.ApiUrl);
        var probeHttp = recorder.Http("probe");
        var runId = Rows.NewRunId();
        var duration = TimeSpan.FromSeconds(settings.LoadSeconds);
        Report.Line($"seed {settings.Seed}, run {runId}, {settings.LoadSeconds} s, KeyPerMinute {settings.KeyPerMinute}");

        if (!checks.That(await Probe.WaitReadyAsync(probeHttp, TimeSpan.FromSeconds(90), cancellationToken) is not null, "the API is ready"))
            return false;
        var admin = recorder.Client("admin", new CompClientOptions { ApiKey = settings.AdminKey });
        var demo = await admin.GetBandsAsync(new BandQuery { Role = "ml-engineer", Region = "us-ca", Component = "base" }, cancellationToken);
        if (!checks.That(demo.Cells is [{ Suppressed: false, N: >= 200 }], $"the demo data is loaded (ml-engineer in us-ca: n = {demo.Cells.FirstOrDefault()?.N})"))
            return false;
        var writerKeys = new List<ApiKeyCreated>();
        for (var w = 1; w <= Writers; w++)
            writerKeys.Add(await admin.CreateKeyAsync($"reliability-load-writer-{w}-{runId}", ["ingest"], cancellationToken));
        var noisyKey = await admin.CreateKeyAsync($"reliability-load-noisy-{runId}", ["read"], cancellationToken);
        var before = await db.ScalarAsync<long>("SELECT count(*) FROM datapoints", cancellationToken);

        var calls = new ConcurrentQueue<Call>();
        var failures = new ConcurrentQueue<string>();
        var acked = new ConcurrentDictionary<Guid, int>();
        var watch = Stopwatch.StartNew();
        bool Running() => watch.Elapsed < duration && !cancellationToken.IsCancellationRequested;

        async Task Timed(string client, string kind, Func<Task> call)
        {
            var took = Stopwatch.StartNew();
            try
            {
                await call();
                calls.Enqueue(new Call(client, kind, took.Elapsed.TotalMilliseconds, true));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                calls.Enqueue(new Call(client, kind, took.Elapsed.TotalMilliseconds, false));
                failures.Enqueue($"{client} {kind}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        // ---- readers: closed loop, as fast as answered ----
        string[] percentiles = ["10,25,50,75,90", "5,50,95", "25,50,75", "10,50,90", "1,99", "50"];
        BandQuery[] cuts =
        [
            new() { Role = "ml-engineer", Region = "us-ca", Component = "base" },
            new() { Role = "ml-engineer", Region = "us-ca-sf-bay-area" },
            new() { Role = "research-scientist", Employer = "openai" },
            // Anonymous readers get the protected tier, which takes no agedTo (a 400): euros only.
            new() { Role = "research-scientist", Employer = "meta", Currency = "EUR" },
            new() { Employer = "google-deepmind", Component = "retention" },
            new() { Role = "research-scientist", GroupBy = "employer,level" },
            new() { Role = "ml-engineer", GroupBy = "region", Component = "year1" },
            new() { Region = "us-ca", GroupBy = "role", Currency = "GBP" },
        ];
        var compare = new CompareRequest
        {
            Component = "total",
            Percentiles = "10,50,90",
            Segments =
            [
                new CompareSegment("ML engineers, California", new BandFilter { Role = "ml-engineer", Region = "us-ca" }),
                new CompareSegment("Research scientists, OpenAI", new BandFilter { Role = "research-scientist", Employer = "openai" }),
                new CompareSegment("Research scientists, Meta", new BandFilter { Role = "research-scientist", Employer = "meta" }),
            ],
        };
        async Task Read(int reader)
        {
            var name = $"reader-{reader}";
            var client = recorder.Client(name, new CompClientOptions());
            var random = new Random(settings.Seed + reader);
            for (var i = reader; Running(); i++)
            {
                switch (i % 5)
                {
                    case 0:
                    case 1:
                        var cut = cuts[random.Next(cuts.Length)] with { Percentiles = percentiles[random.Next(percentiles.Length)] };
                        await Timed(name, "bands", () => client.GetBandsAsync(cut, cancellationToken));
                        break;
                    case 2:
                        await Timed(name, "compare", () => client.CompareAsync(compare with { Percentiles = percentiles[random.Next(percentiles.Length)] }, cancellationToken));
                        break;
                    case 3:
                        var (query, amount) = random.Next(2) == 0
                            ? (new BandQuery { Role = "ml-engineer", Region = "us-ca", Component = "base" }, 110_000m + random.Next(160_000))
                            : (new BandQuery { Role = "research-scientist", Employer = "openai" }, 3_000_000m + random.Next(9_000_000));
                        await Timed(name, "position", () => client.GetPositionAsync(amount, query, cancellationToken));
                        break;
                    default:
                        await Timed(name, "trend", () => client.GetTrendAsync(new BandQuery { Role = "ml-engineer", Region = "us-ca" }, random.Next(2) == 0 ? "quarter" : "year", cancellationToken));
                        break;
                }
            }
        }

        // ---- writers: paced to 40% of the key limit, so that no 429 is theirs ----
        var writeRate = 0.4 * settings.KeyPerMinute / 60.0;
        async Task Write(int writer)
        {
            var name = $"writer-{writer}";
            var client = recorder.Client(name, new CompClientOptions { ApiKey = writerKeys[writer - 1].Key });
            await Paced(writeRate, Running, async sequence =>
            {
                var rows = Rows.Make(RowsPerBatch, $"reliability:load:{runId}:w{writer}:{sequence}", sequence);
                await Timed(name, "batch", async () =>
                {
                    var result = await client.PostBatchAsync(rows, cancellationToken: cancellationToken);
                    acked[result.BatchId] = result.Accepted;
                });
            }, cancellationToken);
        }

        // ---- the client that overruns its limit: 3× the limit per one-minute window, no retries ----
        var windowSeconds = Math.Min(settings.LoadSeconds, 60);
        var noisyRate = 3.0 * settings.KeyPerMinute / windowSeconds;
        var noisyHttp = recorder.Http("noisy");
        async Task Noisy()
        {
            // Open loop: requests leave at the pace whatever the answers take (at most 16 in flight).
            var inFlight = new List<Task>();
            using var gate = new SemaphoreSlim(16);
            await Paced(noisyRate, Running, async _ =>
            {
                await gate.WaitAsync(cancellationToken);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/bands?role=ml-engineer&region=us-ca&component=base&percentiles=25,50,75");
                        request.Headers.Add("X-Api-Key", noisyKey.Key);
                        await Timed("noisy", "limited", async () =>
                        {
                            using var response = await noisyHttp.SendAsync(request, cancellationToken);
                            await response.Content.ReadAsByteArrayAsync(cancellationToken);
                        });
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken));
            }, cancellationToken);
            await Task.WhenAll(inFlight);
        }

        Report.Line($"{Readers} readers (closed loop), {Writers} writers at {writeRate:0.##} batches/s each, one limited client at {noisyRate:0.#} requests/s");
        var tasks = Enumerable.Range(1, Readers).Select(r => Task.Run(() => Read(r), cancellationToken))
            .Concat(Enumerable.Range(1, Writers).Select(w => Task.Run(() => Write(w), cancellationToken)))
            .Append(Task.Run(Noisy, cancellationToken))
            .ToArray();
        await Task.WhenAll(tasks);
        var elapsed = watch.Elapsed;

        // ---- figures ----
        var all = calls.ToList();
        Report.Line($"{all.Count:N0} requests in {Report.S(elapsed)}: {all.Count / elapsed.TotalSeconds:0} requests/s");
        Report.Line($"{"kind",-9} {"requests",9} {"req/s",7} {"p50",9} {"p99",9} {"max",9} {"failed",7}");
        foreach (var kind in new[] { "bands", "compare", "position", "trend", "batch", "limited" })
        {
            var of = all.Where(c => c.Kind == kind).ToList();
            var ok = of.Where(c => c.Ok).Select(c => c.Ms).Order().ToList();
            var latencies = (kind == "limited" ? of.Select(c => c.Ms).Order().ToList() : ok);
            Report.Line($"{kind,-9} {of.Count,9:N0} {of.Count / elapsed.TotalSeconds,7:0.0} {Report.Ms(Report.Percentile(latencies, 50)),9} " +
                $"{Report.Ms(Report.Percentile(latencies, 99)),9} {Report.Ms(latencies.LastOrDefault()),9} {of.Count(c => !c.Ok),7}");
        }
        var regular = recorder.Attempts.Where(a => a.Client.StartsWith("reader-", StringComparison.Ordinal) || a.Client.StartsWith("writer-", StringComparison.Ordinal)).ToList();
        var noisy = recorder.Attempts.Where(a => a.Client == "noisy").ToList();
        Report.Line($"attempts of the readers and writers: {Report.Histogram(regular)}");
        Report.Line($"attempts of the limited client: {Report.Histogram(noisy)}");
        foreach (var failure in failures.Take(5))
            Report.Line($"  {failure}");

        checks.That(regular.All(a => a.Status is >= 200 and < 300),
            $"readers and writers: every attempt answered 2xx ({regular.Count(a => a.Status is not (>= 200 and < 300))} did not: no 5xx, no connection error, no 429)");
        checks.That(all.Where(c => c.Client != "noisy").All(c => c.Ok), "readers and writers: every call succeeded");
        checks.That(noisy.All(a => a.Status is 200 || (a.Status == 429 && a.RetryAfter)), "the limited client got only 200 or 429 with Retry-After");
        var windows = (int)Math.Ceiling(elapsed.TotalSeconds / 60);
        var noisyOk = noisy.Count(a => a.Status == 200);
        checks.That(noisyOk <= settings.KeyPerMinute * windows, $"the limited client got at most its limit per window ({noisyOk} ≤ {settings.KeyPerMinute} × {windows})");
        if (noisy.Count > settings.KeyPerMinute * windows)
            checks.That(noisy.Any(a => a.Status == 429), $"the limited client was refused beyond its limit ({noisy.Count(a => a.Status == 429)} × 429)");

        var after = await db.ScalarAsync<long>("SELECT count(*) FROM datapoints", cancellationToken);
        var ids = writerKeys.Select(k => k.Id).ToArray();
        var stored = await db.RowsAsync("SELECT batch_id, count(*)::int FROM datapoints WHERE api_key_id = ANY(@ids) GROUP BY batch_id",
            cancellationToken, ("ids", ids));
        var storedById = stored.ToDictionary(r => (Guid)r[0]!, r => (int)r[1]!);
        var expected = acked.Values.Sum();
        Report.Line($"datapoints: {before:N0} before, {after:N0} after: +{after - before:N0}; acknowledged {acked.Count} batches = {expected:N0} rows; rows lost " +
            $"{acked.Sum(a => Math.Max(0, a.Value - storedById.GetValueOrDefault(a.Key)))}");
        checks.That(acked.Count > 0, $"the writers stored batches ({acked.Count})");
        checks.That(after - before == expected, $"the datapoints added equal the acknowledged rows ({after - before:N0} = {expected:N0})");
        checks.That(storedById.Count == acked.Count && acked.All(a => storedById.GetValueOrDefault(a.Key) == a.Value && a.Value == RowsPerBatch),
            "every acknowledged batch is stored once, whole, and nothing else was");
        return checks.Passed;
    }

    /// <summary>Calls <paramref name="step"/> at most <paramref name="perSecond"/> times a second (never in bursts to catch up).</summary>
    private static async Task Paced(double perSecond, Func<bool> running, Func<int, Task> step, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        for (var sequence = 0; running(); sequence++)
        {
            await step(sequence);
            next += interval;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
            else
                next = clock.Elapsed;
        }
    }
}
