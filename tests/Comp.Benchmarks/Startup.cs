using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Comp.Client;

namespace Comp.Benchmarks;

/// <summary>The restart of the API (start-up of the band index) and the single-cell re-measure after it.</summary>
public sealed partial class Bench
{
    /// <summary>How often the restarted API is polled; an observed moment is late by up to this plus the exporter's scrape cache (300 ms).</summary>
    private const int PollMs = 100;

    /// <summary>Without <c>comp_band_index_loaded</c> this long after ready, there is no index to wait for.</summary>
    private static readonly TimeSpan NoGaugeGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <see cref="Options.RestartApi"/> (stop the API, start it again with the same settings, print the
    /// new pid) and polls the new process until <c>comp_band_index_loaded</c> is 1, timing from the process's
    /// start as the kernel recorded it, and reading its RSS at that moment. Without a restart command, only
    /// the gauges of the running API are read. Returns the pid of the API that now runs.
    /// </summary>
    public async Task<int?> StartupAsync(int? runningPid, long datapoints, CancellationToken ct)
    {
        if (options.RestartApi is null)
        {
            var (status, gauges) = await ReadGaugesAsync(ct);
            results.Startup = StartupOf(false, runningPid, null, null, null, null, status, gauges, datapoints, null,
                "No --restart-api: the API was not restarted, so no start-up was timed; the gauges are the running API's " +
                "(its load seconds are those of its own start-up, before this run's load).");
            Say($"== start-up: not measured (no --restart-api); index metrics: {status} ==");
            return runningPid;
        }

        Say("== start-up: restarting the API ==");
        var command = Stopwatch.StartNew();
        var pid = await RunRestartCommandAsync(options.RestartApi, null, ct);
        var commandSeconds = command.Elapsed.TotalSeconds;
        Say($"  restart command: {commandSeconds:0.0} s, new pid {pid}; polling every {PollMs} ms for the index");
        var (listening, ready, loaded, rss, lastStatus, lastGauges) = await WatchStartAsync(pid, "start-up", ct);

        results.Startup = StartupOf(true, pid, commandSeconds, listening, ready, loaded, lastStatus, lastGauges, datapoints, rss,
            "Times run from the restarted process's start (the kernel's start time, /proc/PID/stat) to the poll that first saw " +
            $"each state: the first HTTP answer, /health/ready 200, comp_band_index_loaded 1. Polls every {PollMs} ms and the " +
            "exporter's 300 ms scrape cache make each an upper bound by up to about half a second. The RSS is read at that same " +
            "poll, before any band request, so it includes what the load left on the GC heap. The restart command's time " +
            "(stopping the old API, starting the new one) is not part of them.");
        var s = results.Startup;
        Say($"  process start → listening {Sec(listening)}, → ready {Sec(ready)}, → index loaded {Sec(loaded)}; " +
            $"API-measured load {Sec(s.Index?.LoadSeconds)}; index {Bytes(s.Index?.Bytes)} ({PerDatapoint(s.IndexBytesPerDatapoint)}); " +
            $"RSS {Bytes(rss)} ({PerDatapoint(s.RssBytesPerDatapoint)}); metrics: {lastStatus}");
        return pid;
    }

    /// <summary>What polling a freshly started API saw, each time from the process's start (null: not seen).</summary>
    private sealed record StartSeen(double? Listening, double? Ready, double? Loaded, long? Rss, string Status, IndexGauges? Gauges);

    /// <summary>
    /// Polls the new API process every <see cref="PollMs"/> until <c>comp_band_index_loaded</c> is 1 (its RSS read at that
    /// poll), it is ready without an index gauge for <see cref="NoGaugeGrace"/>, or <see cref="Options.StartupTimeout"/>
    /// has passed (a problem named after <paramref name="phase"/>). Throws when the process exits.
    /// </summary>
    private async Task<StartSeen> WatchStartAsync(int pid, string phase, CancellationToken ct)
    {
        double? listening = null, ready = null, loaded = null;
        long? rss = null;
        var lastStatus = "not answered";
        IndexGauges? lastGauges = null;
        var readyAt = (Stopwatch?)null;
        var wait = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (ProcessAge(pid) is null)
                throw new InvalidOperationException($"the restarted API (pid {pid}) exited during start-up; see api.log");
            var (status, gauges) = await ReadGaugesAsync(ct);
            var age = ProcessAge(pid);
            if (status != "not answered")
            {
                listening ??= age;
                lastStatus = status;
                lastGauges = gauges;
            }
            if (gauges?.Loaded == 1)
            {
                loaded = age;
                rss = Rss.Read(pid).Rss;
                break;
            }
            if (listening is not null && ready is null && await ReadyAsync(ct))
            {
                ready = ProcessAge(pid);
                readyAt = Stopwatch.StartNew();
            }
            // Ready without an index gauge for a while: no index (or no metrics) to wait for.
            if (readyAt is not null && gauges?.Loaded is null && readyAt.Elapsed > NoGaugeGrace)
                break;
            if (wait.Elapsed.TotalSeconds > options.StartupTimeout)
            {
                results.Problems.Add($"{phase}: the restarted API's index was not loaded within {options.StartupTimeout} s " +
                    $"(metrics {lastStatus}, comp_band_index_loaded {lastGauges?.Loaded?.ToString(CultureInfo.InvariantCulture) ?? "absent"})");
                break;
            }
            await Task.Delay(PollMs, ct);
        }
        if (ready is null && await ReadyAsync(ct))
            ready = ProcessAge(pid);
        return new StartSeen(listening, ready, loaded, rss, lastStatus, lastGauges);
    }

    private StartupResult StartupOf(bool restarted, int? pid, double? commandSeconds, double? listening, double? ready, double? loaded,
        string status, IndexGauges? gauges, long datapoints, long? rss, string note)
    {
        var indexDatapoints = gauges?.Datapoints is > 0 ? gauges.Datapoints.Value : datapoints;
        if (gauges?.Datapoints is { } held && gauges.Loaded == 1 && (long)held != datapoints)
            results.Problems.Add($"start-up: the index holds {held:N0} datapoints, the database {datapoints:N0}");
        return new StartupResult(restarted, pid, commandSeconds, listening, ready, loaded, status, gauges, datapoints,
            gauges?.Bytes is { } bytes && indexDatapoints > 0 ? bytes / indexDatapoints : null,
            rss, rss is { } r && datapoints > 0 ? (double)r / datapoints : null, PollMs, note);
    }

    /// <summary>
    /// Runs the restart command with bash, with <paramref name="environment"/> added to ours; its last line of output is the
    /// new pid. Its other output goes to ours.
    /// </summary>
    private static async Task<int> RunRestartCommandAsync(string commandLine, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        foreach (var (name, value) in environment ?? ImmutableDictionary<string, string>.Empty)
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash for --restart-api");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines.SkipLast(1))
            Say($"  restart: {line}");
        if (process.ExitCode != 0 || lines.Length == 0 || !int.TryParse(lines[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            throw new InvalidOperationException($"--restart-api exited {process.ExitCode} without a pid as its last line (output: {output.Trim()})");
        return pid;
    }

    /// <summary>Seconds since the process started, from the kernel's start time; null once it has exited.</summary>
    private static double? ProcessAge(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : (DateTime.Now - process.StartTime).TotalSeconds;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<bool> ReadyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync("health/ready", timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>
    /// <c>GET /metrics</c>: "not answered" (no connection or no answer within 5 s), "not served (HTTP 404)" (Prometheus off),
    /// "served, no comp_band_index_* gauges", or "served" with the gauges.
    /// </summary>
    private async Task<(string Status, IndexGauges? Gauges)> ReadGaugesAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync("metrics", timeout.Token);
            if (!response.IsSuccessStatusCode)
                return ($"not served (HTTP {(int)response.StatusCode})", null);
            var gauges = PrometheusText.IndexGauges(await response.Content.ReadAsStringAsync(timeout.Token));
            return gauges is null ? ("served, no comp_band_index_* gauges", null) : ("served", gauges);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return ("not answered", null);
        }
    }

    // ---- Single-cell latency on the restarted API ----

    /// <summary>
    /// Each single-cell cut asked of the API alone, one request at a time, after one untimed request:
    /// up to <see cref="Options.P99Requests"/> within <see cref="Options.P99Seconds"/> (at least the
    /// cut phase's API minimum), random percentiles each time. Enough samples for a p99 that is not
    /// just the slowest of a few, on the API the throughput phase then loads.
    /// </summary>
    public async Task SingleCellAsync(IReadOnlyList<Cut> cuts, CancellationToken ct)
    {
        var client = MeasuringClient(http, options.Key!);
        var random = new Random(unchecked((int)options.Seed) + 7);
        var single = cuts.Where(c => c.GroupBy is null).ToList();
        Say($"== single-cell re-measure{(results.Startup?.Restarted == true ? " on the restarted API" : "")}: {single.Count} cuts, " +
            $"up to {options.P99Requests} requests or {options.P99Seconds} s each, API only ==");
        foreach (var cut in single)
        {
            await client.GetBandsAsync(cut.ApiQuery([10, 50, 90]), ct);
            var ms = new List<double>();
            var budget = Stopwatch.StartNew();
            while (ms.Count < options.P99Requests && (budget.Elapsed.TotalSeconds < options.P99Seconds || ms.Count < options.MinApiRuns))
                ms.Add((await TimeApiAsync(client, cut, RandomPercentiles(random), ct)).Item2);
            var stats = LatencyStats.Of(ms);
            results.SingleCellP99.Add(new SingleCellLatency(cut.Name, cut.QueryText, ms.Count, stats));
            Say($"  {cut.Name,-36} {ms.Count,5} requests  p50 {Ms(stats.MedianMs)}  p99 {Ms(stats.P99Ms)}");
        }
    }

    private static string Sec(double? seconds) => seconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "n/a";

    private static string Bytes(double? bytes) => bytes is { } b ? (b / 1048576).ToString("N1", CultureInfo.InvariantCulture) + " MiB" : "n/a";

    private static string PerDatapoint(double? bytes) => bytes is { } b ? b.ToString("0.0", CultureInfo.InvariantCulture) + " B/datapoint" : "n/a";
}

/// <summary>The few lines of the Prometheus text format the benchmark reads.</summary>
public static class PrometheusText
{
    public const string Loaded = "comp_band_index_loaded";
    public const string Datapoints = "comp_band_index_datapoints";
    public const string Bytes = "comp_band_index_bytes";
    public const string LoadSeconds = "comp_band_index_load_seconds";

    /// <summary>The index gauges, or null when none of them is in the text.</summary>
    public static IndexGauges? IndexGauges(string text)
    {
        var loaded = Value(text, Loaded);
        var datapoints = Value(text, Datapoints);
        var bytes = Value(text, Bytes);
        var seconds = Value(text, LoadSeconds);
        return loaded is null && datapoints is null && bytes is null && seconds is null ? null
            : new IndexGauges(loaded, datapoints, bytes, seconds);
    }

    /// <summary>
    /// The value of the first sample named exactly <paramref name="name"/>, whatever its labels:
    /// <c>name value</c> or <c>name{…} value</c>, an optional timestamp after. Comment lines are skipped.
    /// </summary>
    public static double? Value(string text, string name)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length <= name.Length || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal))
                continue;
            var rest = line.AsSpan(name.Length);
            if (rest[0] == '{')
            {
                var close = LabelsEnd(rest);
                if (close < 0)
                    continue;
                rest = rest[(close + 1)..];
            }
            else if (rest[0] is not (' ' or '\t'))
                continue; // a longer name that starts with this one
            rest = rest.TrimStart();
            var end = rest.IndexOfAny(' ', '\t');
            var token = end < 0 ? rest : rest[..end];
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    /// <summary>Index of the brace that closes the label set (label values are quoted and may hold braces and escaped quotes).</summary>
    private static int LabelsEnd(ReadOnlySpan<char> labels)
    {
        var quoted = false;
        for (var i = 1; i < labels.Length; i++)
        {
            if (quoted && labels[i] == '\\')
                i++;
            else if (labels[i] == '"')
                quoted = !quoted;
            else if (!quoted && labels[i] == '}')
                return i;
        }
        return -1;
    }
}
