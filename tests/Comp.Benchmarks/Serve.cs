using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Comp.Client;

namespace Comp.Benchmarks;

/// <summary>Issue 15's serve phase: what the server sustains under wrk, with and without an ingest stream and hammering clients.</summary>
public sealed partial class Bench
{
    /// <summary>Rows per batch of the ingest stream.</summary>
    public const int ServeBatchRows = 5_000;

    /// <summary>
    /// The role of every row the ingest stream posts: none of the measured cuts reads it (they ask designers, research
    /// scientists and ML engineers), so their figures stay the same while the index still has to catch up on every read.
    /// </summary>
    public const string ServeIngestRole = "data-analyst";

    /// <summary>The source note of the ingest stream's rows, by which they are deleted again.</summary>
    public const string ServeSourceNote = "benchmark-serve";

    /// <summary>
    /// The ingest stream warms until the API's JIT is quiet: fewer than <see cref="QuietJitMethods"/> methods compiled in
    /// <see cref="WarmWindow"/>, checked window by window, for at most <see cref="WarmMax"/>. A server that just began to
    /// ingest compiles its batch route's code three times over (tiered compilation with PGO: quick, instrumented, optimised),
    /// about 1,000 methods and 0.6 s of CPU a second for the first 20–30 s at 1M rows (measured with dotnet-counters); the
    /// lines measure the stream, not that warm-up, as the idle lines measure a server whose read path is warm.
    /// </summary>
    private const int QuietJitMethods = 100;
    private static readonly TimeSpan WarmWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WarmMax = TimeSpan.FromSeconds(90);

    /// <summary>Batches the ingest stream has had answered so far.</summary>
    private int ingestBatches;

    private const int Hammerers = 4;
    private const string Ok = "HTTP 200";
    private const string TooManyRequests = "HTTP 429";

    /// <summary>
    /// On the running API (rate limits out of the way), one after another for <see cref="Options.ServeSeconds"/> each under wrk:
    /// <c>GET /v1/roles</c> anonymous; <c>GET /v1/levels</c> and the small, employer + role and state cuts, anonymous and with a
    /// <c>read</c> key; then the cuts' lines again while one client posts <see cref="ServeBatchRows"/>-row batches back to back.
    /// The stream's rows are deleted again. Then the API is restarted with its own rate limits (<see cref="Options.RestartApi"/>
    /// with <c>BENCH_API_LIMITS=default</c>) and a well-behaved client with its own <c>read</c> key asks the small cut at a fixed
    /// pace, alone and while four anonymous clients ask "everything, by region" back to back. Without wrk the phase is skipped.
    /// </summary>
    public async Task ServeAsync(IReadOnlyList<Cut> cuts, CancellationToken ct)
    {
        if (FindOnPath(options.Wrk) is not { } wrk)
        {
            results.Problems.Add($"serve: {options.Wrk} was not found (on PATH), so the phase was skipped (Debian: apt-get install wrk)");
            Say($"== serve: skipped, {options.Wrk} not found ==");
            return;
        }
        var small = BandsPath(cuts, Cut.Small);
        var admin = MeasuringClient(http, options.Key!);
        var read = (await admin.CreateKeyAsync("benchmark serve", ["read"], ct)).Key;
        var serve = results.Serve = new ServeResult(wrk, Math.Min(2, options.ServeConnections), options.ServeConnections, options.ServeSeconds);
        (string Request, string Path)[] bands =
            [(Cut.Small, small), (Cut.EmployerRole, BandsPath(cuts, Cut.EmployerRole)), (Cut.State, BandsPath(cuts, Cut.State))];
        Say($"== serve: wrk -t{serve.Threads} -c{serve.Connections} -d{serve.Seconds}s per line; GET /v1/roles, GET /v1/levels and " +
            $"{bands.Length} cuts, anonymous and with a read key; the cuts again under an ingest stream; then a paced client beside " +
            $"{Hammerers} hammering ones ==");

        async Task Line(string request, string path, string? key, bool underIngest, bool computed = false)
        {
            var caller = key is null ? ServeLine.Anonymous : ServeLine.ReadKey;
            await AnswerAsync(http, path, key, ct);
            WrkRun? run = null;
            string? error = null;
            var before = await RuntimeCountersAsync(ct);
            try
            {
                run = await WrkAsync(serve, path, key, computed, ct);
            }
            catch (InvalidOperationException ex)
            {
                error = ex.Message;
                results.Problems.Add($"serve: {request}, {caller}: {ex.Message}");
            }
            var after = await RuntimeCountersAsync(ct);
            var runtime = before is { } b && after is { } a ? new RuntimeWork(a.JitMethods - b.JitMethods, a.GcPauseMs - b.GcPauseMs) : null;
            var line = WithRatios(serve.Lines, new ServeLine(request, caller, underIngest, path, run, error, null, null, null, runtime));
            serve.Lines.Add(line);
            if (run is { Non2xx: > 0 } or { SocketErrors: > 0 })
                results.Problems.Add($"serve: {request}, {caller}{(underIngest ? ", under the ingest stream" : "")}: " +
                    $"{run.Non2xx:N0} answers not 2xx, {run.SocketErrors:N0} socket errors in {run.Requests:N0}");
            Say($"  {request,-40} {caller,-9}{(underIngest ? " ingest" : "       ")} " + (run is null ? $"FAILED: {error}" :
                $"{F(run.RequestsPerSecond),8} requests/s  p50 {Ms(run.P50Ms)}  p99 {Ms(run.P99Ms)}" +
                (line.OverRoles is { } over ? $"  ÷ roles {over:0.00}" : "") +
                (line.KeyedOverAnonymous is { } keyed ? $"  read ÷ anonymous {keyed:0.00}" : "") +
                (line.P99OverIdle is { } p99 ? $"  p99 ÷ idle {p99:0.00}" : "") +
                (runtime is { } work ? $"  (JIT {F(work.JitMethods)} methods, GC paused {F(work.GcPauseMs, "0")} ms)" : "")));
        }

        // The lines measure a warm server: the paths they ask (both callers, cached and computed) for 1 s each, round
        // after round, until a round leaves the JIT quiet, as the ingest stream is warmed before the lines under it.
        var warmed = await WarmServerAsync(serve,
            [("v1/roles", null, false), ("v1/levels", null, false), ("v1/levels", read, false),
             .. bands.SelectMany(b => new (string, string?, bool)[] { (b.Path, null, false), (b.Path, read, false), (b.Path, null, true) })], ct);
        Say($"  server warm after {F(warmed.Seconds, "0.0")} s: {warmed.End}");
        serve.Warmup = warmed.End;

        // GET /v1/roles again before each request measured against it, so a ratio compares lines a few seconds apart
        // (this machine's load drifts over minutes).
        foreach (var (request, path) in bands.Prepend(("GET /v1/levels", "v1/levels")))
        {
            await Line("GET /v1/roles", "v1/roles", null, false);
            await Line(request, path, null, false);
            await Line(request, path, read, false);
        }
        // wrk asks the same URL again and again, so the lines above are mostly answered from the answer cache (by ETag,
        // as a client's If-None-Match would be); these ask for every answer to be computed again, as a stream of distinct queries would.
        foreach (var (request, path) in bands)
        {
            await Line("GET /v1/roles", "v1/roles", null, false);
            await Line(request + ", computed (no-cache)", path, null, false, computed: true);
        }

        // The lines start once the stream's first batch is answered and the API's JIT has gone quiet under the stream (the
        // batch route warm); the stream stops after the last.
        ServeIngest ingest;
        using (var stop = new CancellationTokenSource())
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stream = IngestStreamAsync(started, stop.Token, ct);
            await started.Task;
            var warm = await WarmIngestAsync(stream, ct);
            var warmBatches = Volatile.Read(ref ingestBatches);
            Say($"  ingest stream warm after {F(warm.Seconds, "0.0")} s and {F(warmBatches)} batches: {warm.End}");
            try
            {
                foreach (var (request, path) in bands.TakeWhile(_ => !stream.IsCompleted)) // a stream that failed has no lines under it
                {
                    await Line(request, path, null, true);
                    await Line(request, path, read, true);
                }
            }
            finally
            {
                await stop.CancelAsync();
            }
            serve.Ingest = ingest = (await stream) with { WarmupSeconds = warm.Seconds, WarmupBatches = warmBatches, WarmupEnd = warm.End };
        }
        var cleanup = Stopwatch.StartNew();
        await ExecAsync($"DELETE FROM datapoints WHERE source_note = '{ServeSourceNote}'", ct);
        await ExecAsync("VACUUM (ANALYZE) datapoints", ct);
        serve.Ingest = ingest = ingest with { CleanupSeconds = cleanup.Elapsed.TotalSeconds };
        Say($"  ingest stream: {F(ingest.Rows)} rows in {F(ingest.Batches)} batches of {F(ServeBatchRows)}, {F(ingest.Seconds, "0.0")} s: " +
            $"{F(ingest.BatchesPerSecond, "0.00")} batches/s, {F(ingest.RowsPerSecond)} rows/s, batch p50 {Ms(ingest.BatchP50Ms)} " +
            $"p99 {Ms(ingest.BatchP99Ms)}{(ingest.Error is { } e ? $"; STOPPED: {e}" : "")}; deleted again, vacuumed " +
            $"({F(ingest.CleanupSeconds, "0.0")} s)");
        if (ingest.Error is not null)
            results.Problems.Add($"serve: the ingest stream stopped early: {ingest.Error}");

        await HammerAsync(serve, small, BandsPath(cuts, Cut.Everything), ct);
    }

    /// <summary>
    /// The last part of the serve phase, on the API restarted with its own rate limits: the paced client alone, then beside
    /// <see cref="Hammerers"/> anonymous clients (one address, so one per-IP budget) asking <paramref name="hammerPath"/> back to back.
    /// </summary>
    private async Task HammerAsync(ServeResult serve, string wellBehavedPath, string hammerPath, CancellationToken ct)
    {
        if (options.RestartApi is null)
        {
            results.Problems.Add("serve: no --restart-api, so the API could not be restarted with its own rate limits; the well-behaved " +
                "client beside hammering ones was not measured");
            return;
        }
        Say("  restarting the API with its own rate limits (BENCH_API_LIMITS=default)");
        var pid = await RunRestartCommandAsync(options.RestartApi, new Dictionary<string, string> { ["BENCH_API_LIMITS"] = "default" }, ct);
        var seen = await WatchStartAsync(pid, "serve", ct);
        if (seen.Ready is null)
            throw new InvalidOperationException($"the API restarted with its own rate limits (pid {pid}) was not ready within {options.StartupTimeout} s");
        Say($"  pid {pid}: ready {Sec(seen.Ready)}, index loaded {Sec(seen.Loaded)} after its start");

        var key = (await MeasuringClient(http, options.Key!).CreateKeyAsync("benchmark serve, well-behaved client", ["read"], ct)).Key;
        await AnswerAsync(http, wellBehavedPath, key, ct);
        var idle = await PacedAsync(wellBehavedPath, key, ct);
        Say($"  well-behaved client ({options.ServePace}/s, read key), alone: {Paced(idle)}");

        using var hammerHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Hammerers })
        {
            BaseAddress = http.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        (Dictionary<string, long> Answers, double? FirstRefusal)[] hammerers;
        PacedRun hammered;
        using (var stop = new CancellationTokenSource())
        {
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, Hammerers).Select(_ => HammerLoopAsync(hammerHttp, hammerPath, clock, stop.Token, ct)).ToList();
            try
            {
                hammered = await PacedAsync(wellBehavedPath, key, ct);
            }
            finally
            {
                await stop.CancelAsync();
            }
            hammerers = await Task.WhenAll(loops);
        }
        var answers = hammerers.SelectMany(h => h.Answers).GroupBy(a => a.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(a => a.Value));
        var firstRefusal = hammerers.Min(h => h.FirstRefusal);
        var ratio = idle.Ok is { } i && hammered.Ok is { } h && i.P99Ms > 0 ? h.P99Ms / i.P99Ms : (double?)null;
        serve.Hammer = new ServeHammer(pid, wellBehavedPath, options.ServePace, hammerPath, Hammerers, idle, hammered, answers, firstRefusal, ratio);
        Say($"  the same beside {Hammerers} anonymous hammerers: {Paced(hammered)}; p99 ÷ alone {(ratio is { } r ? F(r, "0.00") : "n/a")}");
        Say($"  hammerers ({Cut.Everything}): {Report.Answers(answers)}; first 429 " +
            (firstRefusal is { } first ? $"after {F(first, "0.0")} s" : "never"));
    }

    /// <summary>
    /// The ratios of a new line against those before it: requests/s over the idle <c>GET /v1/roles</c>'s, a keyed line's
    /// requests/s over the anonymous one of the same request and conditions, and a line under the stream's p99 over its idle p99.
    /// </summary>
    private static ServeLine WithRatios(IReadOnlyList<ServeLine> before, ServeLine line)
    {
        if (line.Wrk is not { } run)
            return line;
        WrkRun? Find(Func<ServeLine, bool> match) => before.LastOrDefault(match)?.Wrk;
        var roles = Find(l => l.Path == "v1/roles" && !l.UnderIngest);
        // The same request by name, not only by path: a computed (no-cache) line has the same path and is another request.
        var anonymous = line.Caller == ServeLine.ReadKey
            ? Find(l => l.Request == line.Request && l.Caller == ServeLine.Anonymous && l.UnderIngest == line.UnderIngest)
            : null;
        var idle = line.UnderIngest ? Find(l => l.Request == line.Request && l.Caller == line.Caller && !l.UnderIngest) : null;
        return line with
        {
            OverRoles = roles is { RequestsPerSecond: > 0 } && line.Path != "v1/roles" ? run.RequestsPerSecond / roles.RequestsPerSecond : null,
            KeyedOverAnonymous = anonymous is { RequestsPerSecond: > 0 } ? run.RequestsPerSecond / anonymous.RequestsPerSecond : null,
            P99OverIdle = idle is { P99Ms: > 0 } ? run.P99Ms / idle.P99Ms : null,
        };
    }

    private static string BandsPath(IReadOnlyList<Cut> cuts, string name) => "v1/bands?" + cuts.Single(c => c.Name == name).QueryText;

    /// <summary>One wrk run against <paramref name="path"/>; throws <see cref="InvalidOperationException"/> when wrk fails or prints something else.</summary>
    private async Task<WrkRun> WrkAsync(ServeResult serve, string path, string? key, bool computed, CancellationToken ct, int? seconds = null)
    {
        var start = new ProcessStartInfo(serve.Wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { $"-t{serve.Threads}", $"-c{serve.Connections}", $"-d{seconds ?? serve.Seconds}s", "--latency" })
            start.ArgumentList.Add(arg);
        if (key is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"X-Api-Key: {key}");
        }
        if (computed)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add("Cache-Control: no-cache");
        }
        start.ArgumentList.Add(new Uri(http.BaseAddress!, path).AbsoluteUri);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {serve.Wrk}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        var output = await stdout;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"wrk exited {process.ExitCode}: {(await stderr).Trim()}");
        return WrkOutput.Parse(output) ?? throw new InvalidOperationException($"wrk's output was not understood: {output.Trim()}");
    }

    /// <summary>
    /// One client posting <see cref="ServeBatchRows"/>-row batches back to back (admin key, no retries), rows of
    /// <see cref="ServeIngestRole"/> past the dataset's, until <paramref name="stop"/>; the batch in flight then is finished.
    /// <paramref name="started"/> is set once the first batch is answered (or the stream failed).
    /// </summary>
    private async Task<ServeIngest> IngestStreamAsync(TaskCompletionSource started, CancellationToken stop, CancellationToken ct)
    {
        var client = MeasuringClient(http, options.Key!);
        var batchMs = new List<double>();
        long rows = 0;
        string? error = null;
        var clock = Stopwatch.StartNew();
        try
        {
            for (var from = options.Rows; !stop.IsCancellationRequested; from += ServeBatchRows)
            {
                var batch = generator.Batch(from, ServeBatchRows)
                    .Select(r => r with { Role = ServeIngestRole, SourceNote = ServeSourceNote }).ToList();
                var watch = Stopwatch.StartNew();
                rows += (await client.PostBatchAsync(batch, cancellationToken: ct)).Accepted;
                batchMs.Add(watch.Elapsed.TotalMilliseconds);
                Interlocked.Increment(ref ingestBatches);
                started.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is CompApiException or HttpRequestException or IOException or TimeoutException
                                       or Polly.Timeout.TimeoutRejectedException)
        {
            error = ex is CompApiException api ? $"HTTP {(int)api.StatusCode}: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            started.TrySetResult();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = batchMs.Order().ToArray();
        return new ServeIngest(ServeBatchRows, ServeIngestRole, rows, batchMs.Count, seconds, batchMs.Count / seconds, rows / seconds,
            Stats.Median(sorted), Stats.NearestRank(sorted, 99), error, 0);
    }

    /// <summary>
    /// Asks each of <paramref name="requests"/> under wrk for a second, round after round, until a round compiles fewer than
    /// <see cref="QuietJitMethods"/> methods (without runtime metrics: one round), for at most <see cref="WarmMax"/>.
    /// </summary>
    private async Task<(double Seconds, string End)> WarmServerAsync(ServeResult serve, IReadOnlyList<(string Path, string? Key, bool Computed)> requests, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (var round = 1; ; round++)
        {
            var before = await RuntimeCountersAsync(ct);
            foreach (var (path, key, computed) in requests)
                await WrkAsync(serve, path, key, computed, ct, seconds: 1);
            var after = await RuntimeCountersAsync(ct);
            if (before is null || after is null)
                return (clock.Elapsed.TotalSeconds, "one round of every line's request (no runtime metrics in GET /metrics)");
            var compiled = after.Value.JitMethods - before.Value.JitMethods;
            if (compiled < QuietJitMethods)
                return (clock.Elapsed.TotalSeconds, $"{round} round(s) of every line's request, the last compiling {F(compiled)} methods (quiet: under {QuietJitMethods})");
            if (clock.Elapsed >= WarmMax)
                return (clock.Elapsed.TotalSeconds, $"{round} rounds, the last still compiling {F(compiled)} methods after {WarmMax.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Waits while <paramref name="stream"/> runs until the API's JIT is quiet (<see cref="QuietJitMethods"/>); without runtime
    /// metrics, for <see cref="WarmMax"/> ÷ 3. Returns how long it waited and why it stopped.
    /// </summary>
    private async Task<(double Seconds, string End)> WarmIngestAsync(Task stream, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var last = await RuntimeCountersAsync(ct);
        while (!stream.IsCompleted)
        {
            await Task.WhenAny(Task.Delay(WarmWindow, ct), stream);
            var now = await RuntimeCountersAsync(ct);
            if (now is null || last is null)
            {
                if (clock.Elapsed >= WarmMax / 3)
                    return (clock.Elapsed.TotalSeconds, $"no runtime metrics in GET /metrics, so a fixed {(WarmMax / 3).TotalSeconds:0} s");
                last = now;
                continue;
            }
            var compiled = now.Value.JitMethods - last.Value.JitMethods;
            if (compiled < QuietJitMethods)
                return (clock.Elapsed.TotalSeconds, $"the JIT compiled {F(compiled)} methods in the last {WarmWindow.TotalSeconds:0} s (quiet: under {QuietJitMethods})");
            if (clock.Elapsed >= WarmMax)
                return (clock.Elapsed.TotalSeconds, $"the JIT still compiled {F(compiled)} methods in the last {WarmWindow.TotalSeconds:0} s after {WarmMax.TotalSeconds:0} s");
            last = now;
        }
        return (clock.Elapsed.TotalSeconds, "the stream stopped");
    }

    /// <summary>The API runtime's JIT compilations and GC pause time so far (ms), from <c>GET /metrics</c>; null when not served.</summary>
    private async Task<(double JitMethods, double GcPauseMs)?> RuntimeCountersAsync(CancellationToken ct)
    {
        try
        {
            var text = await http.GetStringAsync("metrics", ct);
            return PrometheusText.Value(text, "dotnet_jit_compiled_methods_total") is { } jit
                   && PrometheusText.Value(text, "dotnet_gc_pause_time_seconds_total") is { } pause
                ? (jit, pause * 1000)
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// <see cref="Options.ServePace"/> requests a second for <see cref="Options.ServeSeconds"/>, one at a time: each is sent at its
    /// slot, or at once when the one before ended late. Latency over the 200 answers; every other answer counted by kind.
    /// </summary>
    private async Task<PacedRun> PacedAsync(string path, string key, CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1.0 / options.ServePace);
        var count = options.ServePace * options.ServeSeconds;
        var ok = new List<double>(count);
        var notOk = new Dictionary<string, long>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var wait = interval * i - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, ct);
            var watch = Stopwatch.StartNew();
            var answer = await AnswerAsync(http, path, key, ct);
            if (answer == Ok)
                ok.Add(watch.Elapsed.TotalMilliseconds);
            else
                notOk[answer] = notOk.GetValueOrDefault(answer) + 1;
        }
        return new PacedRun(count, clock.Elapsed.TotalSeconds, ok.Count == 0 ? null : LatencyStats.Of(ok), notOk);
    }

    /// <summary>One anonymous client asking <paramref name="path"/> back to back until <paramref name="stop"/>: its answers by kind, and the <paramref name="clock"/>'s seconds at its first 429.</summary>
    private static async Task<(Dictionary<string, long> Answers, double? FirstRefusal)> HammerLoopAsync(HttpClient client, string path,
        Stopwatch clock, CancellationToken stop, CancellationToken ct)
    {
        var answers = new Dictionary<string, long>();
        double? firstRefusal = null;
        while (!stop.IsCancellationRequested)
        {
            var answer = await AnswerAsync(client, path, null, ct);
            answers[answer] = answers.GetValueOrDefault(answer) + 1;
            if (answer == TooManyRequests)
                firstRefusal ??= clock.Elapsed.TotalSeconds;
        }
        return (answers, firstRefusal);
    }

    /// <summary>One GET, its body read to the end: "HTTP {status}", or the exception's type when nothing was answered.</summary>
    private static async Task<string> AnswerAsync(HttpClient client, string path, string? key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
            request.Headers.Add("X-Api-Key", key);
        try
        {
            using var response = await client.SendAsync(request, ct);
            return $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return ex.GetType().Name;
        }
    }

    private static string Paced(PacedRun run) =>
        (run.Ok is { } ok ? $"p50 {Ms(ok.MedianMs)}  p99 {Ms(ok.P99Ms)}" : "no 200 answer") +
        $" ({F(run.Requests)} requests, not 200: {Report.Answers(run.NotOk)})";

    private static string? FindOnPath(string program) =>
        program.Contains('/')
            ? File.Exists(program) ? program : null
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
}

/// <summary>The lines of wrk's report (with <c>--latency</c>) the serve phase reads.</summary>
public static partial class WrkOutput
{
    /// <summary>The run's figures, or null when the requests, requests/s or the 50% and 99% latency lines are missing.</summary>
    public static WrkRun? Parse(string text)
    {
        var total = Total().Match(text);
        var rate = RequestsPerSecond().Match(text);
        var p50 = Latency(text, "50");
        var p99 = Latency(text, "99");
        if (!total.Success || !rate.Success || p50 is null || p99 is null)
            return null;
        var non2xx = Non2xx().Match(text);
        var socket = SocketErrors().Match(text);
        return new WrkRun(long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(total.Groups[2].Value, total.Groups[3].Value) / 1000, Number(rate.Groups[1].Value), p50.Value, p99.Value,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0);
    }

    private static double? Latency(string text, string percentile) =>
        LatencyLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == percentile) is { } m
            ? Milliseconds(m.Groups[2].Value, m.Groups[3].Value) : null;

    /// <summary>wrk prints times in us, ms, s, m or h.</summary>
    private static double Milliseconds(string value, string unit) => Number(value) * unit switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        _ => 3_600_000,
    };

    private static double Number(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h)\b", RegexOptions.Multiline)]
    private static partial Regex Total();

    [GeneratedRegex(@"^Requests/sec:\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
