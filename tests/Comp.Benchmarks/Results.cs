using System.Globalization;
using System.Runtime.InteropServices;

namespace Comp.Benchmarks;

/// <summary>Everything a run measured; serialised as results.json (camelCase) and rendered as results.md.</summary>
public sealed record Results
{
    public required string Benchmark { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; set; }
    public required MachineInfo Machine { get; set; }
    public required RunSettings Settings { get; init; }
    public DatasetInfo? Dataset { get; set; }
    public IngestResult? Ingest { get; set; }
    public List<CutResult> Cuts { get; } = [];
    public StartupResult? Startup { get; set; }
    public List<SingleCellLatency> SingleCellP99 { get; } = [];
    public List<TierCost> Tiers { get; } = [];
    public ThroughputResult? Throughput { get; set; }
    public ServeResult? Serve { get; set; }
    public MemoryResult? Memory { get; set; }
    public Verdict? Verdict { get; set; }
    /// <summary>Issue 15's bars, measured by the serve phase.</summary>
    public Verdict? ServeVerdict { get; set; }
    /// <summary>Wall-clock seconds of each phase (load, cuts, start-up, single-cell, tiers, throughput, serve), for the time budget.</summary>
    public Dictionary<string, double> PhaseSeconds { get; } = [];
    public List<string> Problems { get; } = [];
}

public sealed record RunSettings(long Rows, ulong Seed, int MaxRuns, int MinSqlRuns, int MinApiRuns, int CutSeconds, int Concurrency,
    int Seconds, int BatchRows, string Api, int? ApiPid, bool SkipLoad, bool RestartApi, int P99Requests, int P99Seconds, string? Commit,
    string? Label, int ServeSeconds, int ServeConnections, int ServePace);

public sealed record MachineInfo(string Cpu, int Cores, long MemoryBytes, string Os, string Dotnet, string? PostgreSql,
    Dictionary<string, string> PostgreSqlSettings)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Cpu}, {Cores} cores, {MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB RAM");

    public static MachineInfo Read()
    {
        string cpu = "unknown CPU";
        long memory = 0;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim() ?? cpu;
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null)
                memory = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            // Not Linux: the report says "unknown".
        }
        return new MachineInfo(cpu, Environment.ProcessorCount, memory, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, null, []);
    }
}

public sealed record DatasetInfo(long Rows, long RowsInDatabase, int Employers, int EmployersInData, double NonUsdShare,
    Dictionary<string, long> RowsByCurrency, long TableBytes, string Dates, bool Generated);

public sealed record IngestSide(string Method, long Rows, double Seconds, double RowsPerSecond, Dictionary<string, double> PartsSeconds);

public sealed record IngestResult(IngestSide Api, IngestSide Copy, double ApiOverCopy, double BatchP50Ms, double BatchP99Ms, double CleanupSeconds);

public sealed record LatencyStats(double MedianMs, double P99Ms, double MinMs, double MaxMs, double MeanMs)
{
    public static LatencyStats Of(IReadOnlyCollection<double> ms)
    {
        var sorted = ms.Order().ToArray();
        return new LatencyStats(Stats.Median(sorted), Stats.NearestRank(sorted, 99), sorted[0], sorted[^1], sorted.Average());
    }
}

/// <summary>
/// One cut measured both ways. <see cref="N"/> is the datapoints it matches (percentile_cont's count, all cells);
/// <see cref="RequiredSqlOverApi"/> is issue 8's bar for a cut of that size (10 from 100,000 datapoints, else 1).
/// </summary>
public sealed record CutResult(string Name, string Query, long N, bool SingleCell, int Cells, int PublishedCells, int ApiRuns, int SqlRuns,
    double Seconds, LatencyStats Api, LatencyStats Sql, double SqlOverApiMedian, double SqlOverApiP99, double RequiredSqlOverApi, bool Pass,
    int FiguresCompared, int Mismatches, List<string> MismatchExamples, Dictionary<string, int> SuppressedCellsByReason,
    List<List<int>> PercentilesAsked);

/// <summary>
/// The restarted API: times from the process's start (the kernel's record, /proc/PID/stat) to its first
/// HTTP answer, to ready, and to <c>comp_band_index_loaded 1</c>, each as first observed by polling; the
/// index gauges as served at that moment, and the RSS read right then. Null where not observed.
/// </summary>
public sealed record StartupResult(bool Restarted, int? Pid, double? RestartCommandSeconds, double? ProcessStartToListeningSeconds,
    double? ProcessStartToReadySeconds, double? ProcessStartToIndexLoadedSeconds, string MetricsStatus, IndexGauges? Index,
    long Datapoints, double? IndexBytesPerDatapoint, long? RssAfterIndexLoadedBytes, double? RssBytesPerDatapoint, double PollMs,
    string Note);

/// <summary>The <c>comp_band_index_*</c> gauges from <c>GET /metrics</c> (null: the line was absent).</summary>
public sealed record IndexGauges(double? Loaded, double? Datapoints, double? Bytes, double? LoadSeconds);

/// <summary>A single-cell cut asked of the restarted API only, many times: a p99 from enough samples.</summary>
public sealed record SingleCellLatency(string Name, string Query, int Requests, LatencyStats Api);

/// <summary>Issue 8's acceptance, bar by bar. <see cref="Pass"/> null: not measurable in this run (reported, no bar).</summary>
public sealed record VerdictLine(string Bar, string Measured, string Target, bool? Pass);

public sealed record Verdict(List<VerdictLine> Lines, int Passed, int Failed, List<string> Notes);

public sealed record CutThroughput(long Requests, double P50Ms, double P99Ms);

public sealed record ThroughputResult(int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond,
    double P50Ms, double P99Ms, Dictionary<string, CutThroughput> ByCut, Dictionary<string, long> ErrorKinds);

/// <summary>What one wrk run printed: its answers (any status), requests/s over them, its latency percentiles, non-2xx answers and socket errors.</summary>
public sealed record WrkRun(long Requests, double Seconds, double RequestsPerSecond, double P50Ms, double P99Ms, long Non2xx, long SocketErrors);

/// <summary>
/// One line of the serve phase: <see cref="Request"/> asked by <see cref="Caller"/> (anonymous or a <c>read</c> key) under wrk,
/// idle or while the ingest stream ran. The ratios: requests/s over the idle <c>GET /v1/roles</c>'s, over the same line's
/// anonymous one (keyed lines), and p99 over the same line's idle p99 (lines under the ingest stream).
/// </summary>
public sealed record ServeLine(string Request, string Caller, bool UnderIngest, string Path, WrkRun? Wrk, string? Error,
    double? OverRoles, double? KeyedOverAnonymous, double? P99OverIdle, RuntimeWork? Runtime = null)
{
    public const string Anonymous = "anonymous";
    public const string ReadKey = "read key";
}

/// <summary>
/// What the API's runtime did during one line, from its <c>System.Runtime</c> meter in <c>GET /metrics</c>: methods the JIT
/// compiled (a warming server compiles thousands a second, as tiered compilation re-compiles hot code) and the time the GC
/// paused every thread.
/// </summary>
public sealed record RuntimeWork(double JitMethods, double GcPauseMs);

/// <summary>
/// The ingest stream: one client posting batches back to back while the band lines under it ran. The lines started after
/// <see cref="WarmupSeconds"/> (<see cref="WarmupBatches"/> batches), once the API's JIT had gone quiet under the stream.
/// </summary>
public sealed record ServeIngest(int BatchRows, string Role, long Rows, int Batches, double Seconds, double BatchesPerSecond,
    double RowsPerSecond, double BatchP50Ms, double BatchP99Ms, string? Error, double CleanupSeconds, double WarmupSeconds = 0,
    int WarmupBatches = 0, string? WarmupEnd = null);

/// <summary>The well-behaved client: one request at a time at a fixed pace; latency of its 200 answers, and every other answer by kind.</summary>
public sealed record PacedRun(int Requests, double Seconds, LatencyStats? Ok, Dictionary<string, long> NotOk);

/// <summary>
/// The API restarted with its own rate limits: the well-behaved client alone, then while anonymous clients hammer a broad
/// cut back to back from the same address (one per-IP budget), with their answers by status and the seconds from their
/// start to their first 429 (null: none).
/// </summary>
public sealed record ServeHammer(int? Pid, string WellBehavedPath, int PerSecond, string HammerPath, int Hammerers, PacedRun Idle,
    PacedRun Hammered, Dictionary<string, long> HammerAnswers, double? FirstRefusalSeconds, double? P99HammeredOverIdle);

/// <summary>Issue 15's serve phase: the lines (idle, then under the ingest stream), the stream, and the hammer part.</summary>
public sealed record ServeResult(string Wrk, int Threads, int Connections, int Seconds)
{
    public List<ServeLine> Lines { get; } = [];
    /// <summary>How the server was warmed before the first line (rounds of every line's request until the JIT was quiet).</summary>
    public string? Warmup { get; set; }
    public ServeIngest? Ingest { get; set; }
    public ServeHammer? Hammer { get; set; }
}

/// <summary>
/// VmRSS of the API at each moment. The first process: baseline, after the load, after the cuts, its peak
/// (VmHWM) just before the restart. The restarted one (same fields null without --restart-api): right
/// after its index loaded. Final and peak: of whichever process ran the last phases.
/// </summary>
public sealed record MemoryResult(int? ApiPid, long? BaselineRssBytes, long? AfterLoadRssBytes, long? AfterCutsRssBytes,
    long? FirstProcessPeakRssBytes, int? RestartedPid, long? AfterIndexLoadedRssBytes, long? FinalRssBytes, long? PeakRssBytes,
    long Datapoints, double? RssBytesPerDatapoint, double? AddedRssBytesPerDatapoint, string Note);

public static class Stats
{
    public static double Median(double[] sorted) =>
        sorted.Length == 0 ? double.NaN
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>Nearest-rank percentile: with fewer than 100 samples p99 is the slowest one.</summary>
    public static double NearestRank(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>VmRSS and VmHWM of a process, from /proc/PID/status.</summary>
public static class Rss
{
    public static (long? Rss, long? Peak) Read(int? pid)
    {
        if (pid is null)
            return (null, null);
        try
        {
            long? rss = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kb(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = Kb(line);
            }
            return (rss, peak);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
