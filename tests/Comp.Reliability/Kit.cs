using System.Diagnostics;
using System.Globalization;
using System.Text;
using Comp.Client;
using Npgsql;

namespace Comp.Reliability;

/// <summary>The checks of a scenario, printed as they are made; the scenario passes when none failed.</summary>
public sealed class Checks
{
    private readonly List<string> failures = [];

    public bool Passed => failures.Count == 0;

    public bool That(bool ok, string what)
    {
        Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {what}");
        if (!ok)
            failures.Add(what);
        return ok;
    }
}

public static class Report
{
    public static void Line(string text) => Console.WriteLine($"  {text}");

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string S(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>"503 ×12, 200 ×3, HttpRequestException ×1".</summary>
    public static string Histogram(IEnumerable<Attempt> attempts) =>
        string.Join(", ", attempts.GroupBy(a => a.Error ?? a.Status.ToString(CultureInfo.InvariantCulture))
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}")) is { Length: > 0 } text ? text : "none";
}

/// <summary>Datapoints the scenarios send: a role, level and region the demo bands never read.</summary>
public static class Rows
{
    public static List<DatapointRequest> Make(int count, string marker, int salt) =>
        Enumerable.Range(0, count).Select(i => new DatapointRequest
        {
            Employer = $"reliability-{(i + salt) % 10}",
            Role = "data-analyst",
            Level = "L3",
            Region = "us-tx",
            Currency = "USD",
            EffectiveDate = new DateOnly(2024, 5, 1),
            BaseSalary = 80_000m + (i + salt) % 40_000,
            TargetBonus = i % 3 == 0 ? 5_000m : null,
            Source = "self_reported",
            SourceNote = marker,
        }).ToList();

    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];
}

/// <summary>Reads what the database holds, on connections of its own (application_name reliability-check).</summary>
public sealed class Db(string connectionString)
{
    public const string ApplicationName = "reliability-check";

    private readonly string connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        ApplicationName = ApplicationName,
        Pooling = false,
        Timeout = 5,
        CommandTimeout = 60,
    }.ConnectionString;

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task<List<object?[]>> RowsAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }
}

/// <summary>Commands of the machine: PostgreSQL's pg_ctl (as postgres when we are root), kill.</summary>
public static class Shell
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // cd /: the postgres user cannot enter a checkout under /root.
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>A PostgreSQL server tool, run as the owner of the data dir.</summary>
    public static Task<(int Code, string Output)> PgAsync(Settings settings, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tool = Path.Combine(settings.PgBin ?? throw new InvalidOperationException("RELIABILITY_PG_BIN is not set"), "pg_ctl");
        return IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", tool, .. arguments], timeout, cancellationToken)
            : RunAsync(tool, arguments, timeout, cancellationToken);
    }

    /// <summary><c>pg_ctl stop -m immediate</c>: every backend dies at once, like a crashed or cut-off server.</summary>
    public static Task<(int Code, string Output)> StopPostgresImmediateAsync(Settings settings, CancellationToken cancellationToken) =>
        PgAsync(settings, ["-D", settings.PgData ?? throw new InvalidOperationException("RELIABILITY_PG_DATA is not set"), "-m", "immediate", "-w", "-t", "60", "stop"],
            TimeSpan.FromSeconds(90), cancellationToken);

    /// <summary>Starts the server again through the same helper that started it (deploy/local/pg.sh, comp_pg_ensure).</summary>
    public static Task<(int Code, string Output)> StartPostgresAsync(Settings settings, CancellationToken cancellationToken) =>
        RunAsync("bash", ["-c", "source \"$0/deploy/local/pg.sh\" && comp_pg_ensure reliability \"$1\" COMP_PG_RELIABILITY_PORT",
            settings.Root, settings.PgPort.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(120), cancellationToken);
}

/// <summary>Health probes and single requests outside the typed client: no retries, the raw answer.</summary>
public sealed record Probe(string Kind, DateTimeOffset Start, DateTimeOffset End, int Status, bool RetryAfter, string? Error)
{
    public TimeSpan Took => End - Start;

    public static async Task<Probe> SendAsync(HttpClient http, string kind, Func<HttpRequestMessage> request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            using var message = request();
            using var response = await http.SendAsync(message, bound.Token);
            await response.Content.ReadAsByteArrayAsync(bound.Token);
            return new Probe(kind, start, DateTimeOffset.UtcNow, (int)response.StatusCode, response.Headers.RetryAfter is not null, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new Probe(kind, start, DateTimeOffset.UtcNow, 0, false, ex.GetType().Name);
        }
    }

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage PostJson(string path, string json, string? apiKey = null, string? idempotencyKey = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
            message.Headers.Add("X-Api-Key", apiKey);
        if (idempotencyKey is not null)
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        return message;
    }

    /// <summary>Polls /health/ready until it answers 200; the time it took, or null at the deadline.</summary>
    public static async Task<TimeSpan?> WaitReadyAsync(HttpClient http, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < deadline)
        {
            var probe = await SendAsync(http, "ready", () => Get("health/ready"), TimeSpan.FromSeconds(5), cancellationToken);
            if (probe.Status == 200)
                return watch.Elapsed;
            await Task.Delay(100, cancellationToken);
        }
        return null;
    }
}
