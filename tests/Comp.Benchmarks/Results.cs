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
    public ThroughputResult? Throughput { get; set; }
    public MemoryResult? Memory { get; set; }
    public List<string> Problems { get; } = [];
}

public sealed record RunSettings(long Rows, ulong Seed, int Runs, int Concurrency, int Seconds, int BatchRows, string Api, int? ApiPid,
    bool SkipLoad, string? Commit, string? Label);

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

public sealed record LatencyStats(double MedianMs, double P99Ms, double MinMs, double MeanMs)
{
    public static LatencyStats Of(IReadOnlyCollection<double> ms)
    {
        var sorted = ms.Order().ToArray();
        return new LatencyStats(Stats.Median(sorted), Stats.NearestRank(sorted, 99), sorted[0], sorted.Average());
    }
}

public sealed record CutResult(string Name, string Query, long RowsInCut, int Cells, int PublishedCells, int Runs,
    LatencyStats Api, LatencyStats Sql, double SqlOverApiMedian, double SqlOverApiP99, int FiguresCompared, int Mismatches,
    List<string> MismatchExamples, List<List<int>> PercentilesAsked);

public sealed record CutThroughput(long Requests, double P50Ms, double P99Ms);

public sealed record ThroughputResult(int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond,
    double P50Ms, double P99Ms, Dictionary<string, CutThroughput> ByCut, Dictionary<string, long> ErrorKinds);

public sealed record MemoryResult(int? ApiPid, long? BaselineRssBytes, long? AfterLoadRssBytes, long? AfterCutsRssBytes,
    long? FinalRssBytes, long? PeakRssBytes, long Datapoints, double? RssBytesPerDatapoint, double? AddedRssBytesPerDatapoint, string Note);

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
