using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Comp.Benchmarks;

/// <summary>results.json (everything, machine-readable) and results.md (the tables).</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task WriteAsync(Results results, string directory)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(results, Json) + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), Markdown(results));
    }

    internal static string N(double v, string format = "N0") => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);

    internal static string Ms(double ms) => double.IsNaN(ms) ? "—"
        : ms < 10 ? ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : ms < 100 ? ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : ms.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Answers by kind ("HTTP 429 ×12, …"), or "none".</summary>
    internal static string Answers(Dictionary<string, long> answers) =>
        answers.Count == 0 ? "none" : string.Join(", ", answers.Select(a => $"{a.Key} ×{a.Value:N0}"));

    internal static string MiB(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("N1", CultureInfo.InvariantCulture) + " MiB" : "—";

    /// <summary>The tables (the process runs with invariant globalization, so numbers format the same everywhere).</summary>
    public static string Markdown(Results r)
    {
        var md = new StringBuilder();
        var rows = r.Dataset?.RowsInDatabase ?? r.Settings.Rows;
        md.AppendLine($"# Comp benchmark: {rows:N0} datapoints").AppendLine();
        md.AppendLine($"- Machine: {r.Machine.Describe()}; {r.Machine.Os}; {r.Machine.Dotnet}" +
            (r.Settings.Label is { } label ? $"; {label}" : ""));
        md.AppendLine($"- Database: {r.Machine.PostgreSql ?? "?"} on the same machine, loopback " +
            $"({string.Join(", ", r.Machine.PostgreSqlSettings.Select(s => $"{s.Key}={s.Value}"))})");
        md.AppendLine($"- API: {r.Settings.Api} (Release, its own process{(r.Settings.ApiPid is { } pid ? $", pid {pid}" : "")})" +
            (r.Settings.Commit is { } commit ? $", code {commit}" : ""));
        md.AppendLine($"- Run: {r.StartedAt:yyyy-MM-dd HH:mm} UTC, {(r.FinishedAt - r.StartedAt).TotalMinutes:0.0} min; seed {r.Settings.Seed}; " +
            $"per cut {r.Settings.CutSeconds} s of timed runs, at least {r.Settings.MinApiRuns} API and {r.Settings.MinSqlRuns} SQL, at most " +
            $"{r.Settings.MaxRuns} a side; {(r.Settings.RestartApi ? "the API restarted after the cuts; " : "")}" +
            $"{r.Settings.Concurrency} clients × {r.Settings.Seconds} s of throughput" +
            (r.PhaseSeconds.Count == 0 ? "" : "; phases " + string.Join(", ", r.PhaseSeconds.Select(p => $"{p.Key} {N(p.Value, "N0")} s"))));
        if (r.Dataset is { } d)
        {
            md.AppendLine($"- Data: {d.RowsInDatabase:N0} datapoints from {d.EmployersInData:N0} employers " +
                $"({(d.Generated ? "generated and loaded by this run" : "loaded by an earlier run")}), effective {d.Dates}; " +
                $"{d.NonUsdShare:P1} not in USD ({string.Join(", ", d.RowsByCurrency.Select(c => $"{c.Key} {c.Value:N0}"))}); " +
                $"datapoints table with indexes {MiB(d.TableBytes)}");
        }
        md.AppendLine();

        if (r.Verdict is { } verdict)
            VerdictTable(md, "Issue 8's acceptance", verdict);
        if (r.ServeVerdict is { } serveVerdict)
            VerdictTable(md, "Issue 15's serve bars", serveVerdict);

        if (r.Ingest is { } ingest)
        {
            md.AppendLine("## Ingest").AppendLine();
            md.AppendLine("| path | rows | seconds | rows/s |");
            md.AppendLine("|---|---:|---:|---:|");
            md.AppendLine($"| API: {ingest.Api.Method} | {ingest.Api.Rows:N0} | {N(ingest.Api.Seconds, "0.00")} | {N(ingest.Api.RowsPerSecond)} |");
            var parts = ingest.Copy.PartsSeconds.Count == 0 ? "" :
                $" (\\copy {N(ingest.Copy.PartsSeconds.GetValueOrDefault("copy"), "0.00")} s, insert {N(ingest.Copy.PartsSeconds.GetValueOrDefault("insert"), "0.00")} s)";
            md.AppendLine($"| {ingest.Copy.Method}{parts} | {ingest.Copy.Rows:N0} | {N(ingest.Copy.Seconds, "0.00")} | {N(ingest.Copy.RowsPerSecond)} |");
            md.AppendLine();
            md.AppendLine($"API rows/s ÷ `\\copy` rows/s = **{N(ingest.ApiOverCopy, "0.00")}**; one batch of " +
                $"{r.Settings.BatchRows:N0} rows: p50 {Ms(ingest.BatchP50Ms)}, p99 {Ms(ingest.BatchP99Ms)}. The copied duplicates were deleted " +
                $"and the table vacuumed and analysed before the cuts ({N(ingest.CleanupSeconds, "0.0")} s).");
            md.AppendLine();
        }

        if (r.Cuts.Count > 0)
        {
            static string P99(double ms, int runs) => Ms(ms) + (runs < 100 ? " †" : "");
            md.AppendLine("## Band latency: API vs `percentile_cont` in PostgreSQL").AppendLine();
            md.AppendLine("| cut | query | n | cells (published) | runs API / SQL | API p50 | API p99 | SQL p50 | SQL p99 | SQL/API p50 | SQL/API p99 | bar | result | figures checked | mismatches |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
            foreach (var c in r.Cuts)
            {
                md.AppendLine($"| {c.Name} | `{c.Query}` | {c.N:N0} | {c.Cells:N0} ({c.PublishedCells:N0}) | {c.ApiRuns} / {c.SqlRuns} | " +
                    $"{Ms(c.Api.MedianMs)} | {P99(c.Api.P99Ms, c.ApiRuns)} | {Ms(c.Sql.MedianMs)} | {P99(c.Sql.P99Ms, c.SqlRuns)} | " +
                    $"{N(c.SqlOverApiMedian, "0.00")} | {N(c.SqlOverApiP99, "0.00")} | ≥ {c.RequiredSqlOverApi:0} | {(c.Pass ? "PASS" : "**FAIL**")} | " +
                    $"{c.FiguresCompared:N0} | {c.Mismatches} |");
            }
            md.AppendLine();
            md.AppendLine("n: the datapoints the cut matches (percentile_cont's count over all its cells). Each cut once each way untimed, then " +
                $"timed runs, API and SQL alternating which goes first, until {r.Settings.CutSeconds} s are spent and each side has its minimum " +
                $"({r.Settings.MinApiRuns} API, {r.Settings.MinSqlRuns} SQL), or both reached {r.Settings.MaxRuns}; every run in which both " +
                "sides answered is checked. Every run asks 3–6 random percentiles (1–99), the same list to both sides, so no answer can come " +
                "from a cache keyed by the query. API: `GET /v1/bands` through the typed client, from sending the request to the parsed answer. " +
                "SQL: the same cut as one `percentile_cont(…) WITHIN GROUP (ORDER BY v)` query through Npgsql (same value expression, region " +
                "tree, FX rule and aging), from sending the command to reading its last row. p99 is nearest-rank; † marks fewer than 100 runs, " +
                "where it is the slowest run. SQL/API > 1 means the API answered faster; the bar is issue 8's (≥ 10 from n = 100,000, else ≥ 1). " +
                "Every published figure is checked against `percentile_cont` (|Δ| ≤ 0.01) and every published cell's n against the SQL count.");
            var withheld = r.Cuts.Where(c => c.SuppressedCellsByReason.Count > 0).ToList();
            if (withheld.Count > 0)
                md.AppendLine().AppendLine("Cells the API withheld (disclosure rules; their figures are not checked): " + string.Join("; ", withheld.Select(c =>
                    $"{c.Name}: {c.Cells - c.PublishedCells} of {c.Cells} ({string.Join(", ", c.SuppressedCellsByReason.Select(x => $"{x.Key} ×{x.Value}"))})")) + ".");
            md.AppendLine();
        }

        if (r.Startup is { } st)
        {
            static string Sec(double? v) => v is { } x ? N(x, "0.00") + " s" : "n/a";
            md.AppendLine("## Start-up of the band index").AppendLine();
            md.AppendLine("| figure | value |");
            md.AppendLine("|---|---:|");
            md.AppendLine($"| datapoints in the database | {st.Datapoints:N0} |");
            md.AppendLine($"| index load, API-measured (`comp_band_index_load_seconds`) | {Sec(st.Index?.LoadSeconds)} |");
            md.AppendLine($"| process start → first HTTP answer | {Sec(st.ProcessStartToListeningSeconds)} |");
            md.AppendLine($"| process start → `/health/ready` 200 | {Sec(st.ProcessStartToReadySeconds)} |");
            md.AppendLine($"| process start → index loaded (`comp_band_index_loaded` 1) | {Sec(st.ProcessStartToIndexLoadedSeconds)} |");
            md.AppendLine($"| datapoints in the index (`comp_band_index_datapoints`) | {(st.Index?.Datapoints is { } held ? N(held) : "n/a")} |");
            md.AppendLine($"| index bytes (`comp_band_index_bytes`) | {(st.Index?.Bytes is { } bytes ? MiB((long)bytes) : "n/a")} |");
            md.AppendLine($"| index bytes per datapoint | {(st.IndexBytesPerDatapoint is { } ib ? N(ib, "0.0") + " B" : "n/a")} |");
            md.AppendLine($"| API RSS right after the index loaded | {(st.RssAfterIndexLoadedBytes is { } rss ? MiB(rss) : "n/a")} |");
            md.AppendLine($"| RSS per datapoint | {(st.RssBytesPerDatapoint is { } rp ? N(rp, "0.0") + " B" : "n/a")} |");
            md.AppendLine();
            md.AppendLine((st.Restarted
                ? $"The API (pid {st.Pid}) was restarted after the cuts by `--restart-api` (the command took {Sec(st.RestartCommandSeconds)}: " +
                  "stopping the old process, starting the new one). "
                : "") + $"Metrics: {st.MetricsStatus}. {st.Note}");
            md.AppendLine();
        }

        if (r.SingleCellP99.Count > 0)
        {
            md.AppendLine($"## Single-cell latency{(r.Startup?.Restarted == true ? " on the restarted API" : "")}").AppendLine();
            md.AppendLine("| cut | query | requests | p50 | p99 | max |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var c in r.SingleCellP99)
                md.AppendLine($"| {c.Name} | `{c.Query}` | {c.Requests:N0} | {Ms(c.Api.MedianMs)} | {Ms(c.Api.P99Ms)}{(c.Requests < 100 ? " †" : "")} | {Ms(c.Api.MaxMs)} |");
            md.AppendLine();
            md.AppendLine($"The API alone, one request at a time after one untimed request, random percentiles each time: up to {r.Settings.P99Requests} " +
                $"requests or {r.Settings.P99Seconds} s per cut (at least {r.Settings.MinApiRuns}), before the throughput phase.");
            md.AppendLine();
        }

        if (r.Tiers.Count > 0)
        {
            md.AppendLine("## Exact and protected tiers").AppendLine();
            md.AppendLine("| cut | pairs | exact p50 | protected p50 | protected ÷ exact | exact p99 | protected p99 |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var c in r.Tiers)
                md.AppendLine(c.Exact is { } e && c.Protected is { } p
                    ? $"| {c.Name} | {c.Requests:N0} | {Ms(e.MedianMs)} | {Ms(p.MedianMs)} | {N(c.Ratio ?? double.NaN, "0.00")} | {Ms(e.P99Ms)} | {Ms(p.P99Ms)} |"
                    : $"| {c.Name} | — | — | — | — | — | — ({c.Note}) |");
            md.AppendLine();
            md.AppendLine("The same request (percentiles 10, 25, 50, 75, 90) alternately with the run's admin key (exact figures) and a `read` key made for " +
                $"the run (protected figures), one at a time, up to {r.Settings.P99Requests} pairs or {r.Settings.P99Seconds} s per cut, on the restarted API.");
            md.AppendLine();
        }

        if (r.Throughput is { } t)
        {
            md.AppendLine("## Throughput of `GET /v1/bands`").AppendLine();
            md.AppendLine("| clients | seconds | answers | errors | requests/s | p50 | p99 |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            md.AppendLine($"| {t.Concurrency} | {N(t.Seconds, "0.0")} | {t.Requests:N0} | {t.Errors:N0} | {N(t.RequestsPerSecond, "N1")} | {Ms(t.P50Ms)} | {Ms(t.P99Ms)} |");
            md.AppendLine();
            md.AppendLine("Each client sends its next request when the last is answered (closed loop, loopback, the benchmark on the same cores); " +
                "cut and percentiles random per request. By cut: " +
                string.Join("; ", t.ByCut.Select(c => $"{c.Key} {c.Value.Requests:N0} (p50 {Ms(c.Value.P50Ms)}, p99 {Ms(c.Value.P99Ms)})")) + ".");
            if (t.ErrorKinds.Count > 0)
                md.AppendLine().AppendLine("Errors: " + string.Join(", ", t.ErrorKinds.Select(e => $"{e.Key} ×{e.Value}")) + ".");
            md.AppendLine();
        }

        if (r.Serve is { } serve)
            ServeTables(md, serve);

        if (r.Memory is { } m)
        {
            md.AppendLine("## API memory").AppendLine();
            md.AppendLine("| moment | VmRSS |");
            md.AppendLine("|---|---:|");
            md.AppendLine($"| before the load (baseline) | {MiB(m.BaselineRssBytes)} |");
            md.AppendLine($"| after the load | {MiB(m.AfterLoadRssBytes)} |");
            md.AppendLine($"| after the cuts | {MiB(m.AfterCutsRssBytes)} |");
            if (m.RestartedPid is { } restarted)
            {
                md.AppendLine($"| peak (VmHWM) of that process, before the restart | {MiB(m.FirstProcessPeakRssBytes)} |");
                md.AppendLine($"| restarted (pid {restarted}): right after the index loaded | {MiB(m.AfterIndexLoadedRssBytes)} |");
                md.AppendLine($"| restarted: after the single-cell and throughput phases | {MiB(m.FinalRssBytes)} |");
                md.AppendLine($"| restarted: peak (VmHWM) | {MiB(m.PeakRssBytes)} |");
            }
            else
            {
                md.AppendLine($"| after the single-cell and throughput phases | {MiB(m.FinalRssBytes)} |");
                md.AppendLine($"| peak (VmHWM) | {MiB(m.PeakRssBytes)} |");
            }
            md.AppendLine();
            md.AppendLine($"RSS per datapoint at the end: **{(m.RssBytesPerDatapoint is { } per ? N(per, "0.0") + " bytes" : "—")}** " +
                $"(final RSS ÷ {m.Datapoints:N0}); above the first process's baseline: " +
                $"{(m.AddedRssBytesPerDatapoint is { } added ? N(added, "0.0") + " bytes" : "—")}. {m.Note}");
            md.AppendLine();
        }

        if (r.Problems.Count > 0)
        {
            md.AppendLine("## Problems").AppendLine();
            foreach (var p in r.Problems)
                md.AppendLine($"- {p}");
            md.AppendLine();
        }
        var mismatches = r.Cuts.SelectMany(c => c.MismatchExamples).ToList();
        if (mismatches.Count > 0)
        {
            md.AppendLine("## Mismatches (first examples)").AppendLine();
            foreach (var mismatch in mismatches.Take(30))
                md.AppendLine($"- {mismatch}");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void VerdictTable(StringBuilder md, string title, Verdict verdict)
    {
        md.AppendLine($"## {title}").AppendLine();
        md.AppendLine("| bar | measured | target | result |");
        md.AppendLine("|---|---|---|---|");
        foreach (var line in verdict.Lines)
            md.AppendLine($"| {line.Bar} | {line.Measured} | {line.Target} | {line.Pass switch { true => "PASS", false => "**FAIL**", null => "—" }} |");
        md.AppendLine();
        md.AppendLine(verdict.Failed == 0
            ? $"**Verdict: every bar measured passes ({verdict.Passed} of {verdict.Passed}).**"
            : $"**Verdict: {verdict.Failed} of {verdict.Passed + verdict.Failed} bars fail.**");
        foreach (var note in verdict.Notes)
            md.AppendLine().AppendLine(note);
        md.AppendLine();
    }

    private static void ServeTables(StringBuilder md, ServeResult serve)
    {
        static string Ratio(double? ratio) => ratio is { } x ? N(x, "0.00") : "";
        static string Jit(RuntimeWork? work) => work is { } w ? N(w.JitMethods) : "";
        static string Pauses(RuntimeWork? work) => work is { } w ? Ms(w.GcPauseMs) : "";
        md.AppendLine("## Serve").AppendLine();
        md.AppendLine("| request | caller | ingest stream | requests/s | p50 | p99 | ÷ `GET /v1/roles` | read ÷ anonymous | p99 ÷ idle p99 | JIT methods | GC pauses |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in serve.Lines)
        {
            var request = l.Path.StartsWith("v1/bands", StringComparison.Ordinal) ? $"{l.Request} (`{l.Path}`)" : $"`{l.Request}`";
            md.AppendLine(l.Wrk is { } w
                ? $"| {request} | {l.Caller} | {(l.UnderIngest ? "running" : "")} | {N(w.RequestsPerSecond)} | {Ms(w.P50Ms)} | {Ms(w.P99Ms)} | " +
                  $"{Ratio(l.OverRoles)} | {Ratio(l.KeyedOverAnonymous)} | {Ratio(l.P99OverIdle)} | {Jit(l.Runtime)} | {Pauses(l.Runtime)} |"
                : $"| {request} | {l.Caller} | {(l.UnderIngest ? "running" : "")} | — | — | — | | | ({l.Error}) | | |");
        }
        md.AppendLine();
        md.AppendLine($"Before the first line the server was warmed: {serve.Warmup ?? "n/a"} (wrk for 1 s per request). " +
            $"Each line is `wrk -t{serve.Threads} -c{serve.Connections} -d{serve.Seconds}s --latency` (one fixed URL, the `read` key " +
            "in `X-Api-Key` where named), one line after another on the same API (rate limits out of the way), after " +
            "one untimed request; wrk runs on the same cores. Anonymous and `read`-key bands are the protected tier. Requests/s count " +
            "every answer (the lines had no answer other than 2xx unless the problems say so). ÷ `GET /v1/roles`: over the idle " +
            "`GET /v1/roles` line's requests/s; read ÷ anonymous: requests/s of the `read`-key line over the anonymous one just before it; " +
            "p99 ÷ idle p99: a line under the ingest stream over the same line idle. JIT methods and GC pauses: what the API's " +
            "runtime did during the line (`dotnet_jit_compiled_methods_total` and `dotnet_gc_pause_time_seconds_total` from `GET /metrics` " +
            "before and after it): the methods compiled, and the time every thread stood still for the GC.");
        md.AppendLine();

        if (serve.Ingest is { } i)
        {
            md.AppendLine("| ingest stream | rows | batches | seconds | batches/s | rows/s | batch p50 | batch p99 |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            md.AppendLine($"| one client, admin key, {i.BatchRows:N0}-row batches back to back | {i.Rows:N0} | {i.Batches:N0} | {N(i.Seconds, "0.0")} | " +
                $"{N(i.BatchesPerSecond, "0.00")} | {N(i.RowsPerSecond)} | {Ms(i.BatchP50Ms)} | {Ms(i.BatchP99Ms)} |");
            md.AppendLine();
            md.AppendLine("`POST /v1/datapoints/batch` through the typed client (no retries), from its first batch until the last line under " +
                $"it ended. The lines started once the stream had warmed the API: {N(i.WarmupSeconds, "0.0")} s and {i.WarmupBatches:N0} batches " +
                $"after its first batch was answered, when {i.WarmupEnd ?? "n/a"}. Every row is a `{i.Role}`, a role none of the measured " +
                "cuts reads, so their figures do not change, while the band index still catches up on the stream's commits. The rows " +
                "were deleted again afterwards and the table vacuumed " +
                $"({N(i.CleanupSeconds, "0.0")} s){(i.Error is { } e ? $". The stream stopped early: {e}" : "")}.");
            md.AppendLine();
        }

        if (serve.Hammer is { } h)
        {
            static string Row(string when, PacedRun run, string hammerers) =>
                $"| {when} | {run.Requests:N0} | {Ms(run.Ok?.MedianMs ?? double.NaN)} | {Ms(run.Ok?.P99Ms ?? double.NaN)} | {Answers(run.NotOk)} | {hammerers} |";
            md.AppendLine($"| well-behaved client (`read` key, {h.PerSecond}/s, `{h.WellBehavedPath}`) | requests | p50 | p99 | not 200 | hammerers' answers |");
            md.AppendLine("|---|---:|---:|---:|---|---|");
            md.AppendLine(Row("alone", h.Idle, "—"));
            md.AppendLine(Row($"beside {h.Hammerers} anonymous clients asking `{h.HammerPath}` back to back", h.Hammered, Answers(h.HammerAnswers)));
            md.AppendLine();
            md.AppendLine($"p99 beside the hammering clients ÷ p99 alone: **{(h.P99HammeredOverIdle is { } ratio ? N(ratio, "0.00") : "n/a")}**. " +
                $"The API was restarted for this part (pid {h.Pid}) with the service's own rate limits (`BENCH_API_LIMITS=default`), " +
                "and its band index loaded before either run. The well-behaved client has its own `read` key and sends one request at a " +
                $"time at its slot ({h.PerSecond}/s for {serve.Seconds} s, at once when the one before ended late); p50 and p99 are " +
                "over its 200 answers. The hammering clients are anonymous on loopback, so they share one per-IP budget (as do the " +
                "benchmark's own anonymous polls of `/metrics` while it waited for the restart); they start with the second run, " +
                (h.FirstRefusalSeconds is { } first
                    ? $"and were first refused (429) {N(first, "0.0")} s later."
                    : "and were not refused (429) while it ran: their budget was not spent in that time."));
            md.AppendLine();
        }
    }
}
