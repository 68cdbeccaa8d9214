using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Reliability;

/// <summary>
/// Bad input never breaks the API: over 10,000 seeded malformed requests across every route get
/// no 5xx, every 4xx is an RFC 9457 problem, rejected requests store nothing, and text that is
/// valid however hostile it looks is stored verbatim.
/// </summary>
/// <remarks>
/// Nothing is excluded from the problem+json check: 404 for a path that is no route and 405 for a
/// method a route lacks are problems too (<c>UseStatusCodePages</c> with <c>AddProblemDetails</c>
/// writes one for every bodiless error status), also when the request's Accept header leaves JSON
/// out (some probes send <c>Accept: text/html</c>, <c>text/csv</c>, <c>image/png</c>).
/// Two things are not defects and are not counted as such: the health probes answer any method
/// (<c>MapHealthChecks</c>), so a POST or DELETE there is a 200; and a path that decodes to a NUL
/// character is not sent, since no server hands it to the application (Kestrel answers 400
/// itself) and the test server cannot build it — the test reports how many were skipped.
/// </remarks>
public sealed class BadInputTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private const int Seed = 20261126;
    private const int RandomRequests = 10_000;
    private const string Employer = "acme";

    private static readonly string[] Employers = ["acme", "globex", "initech", "umbrella", "hooli", "stark"];

    private async Task SeedAsync()
    {
        var random = new Random(Seed);
        var rows = Enumerable.Range(0, 240).Select(i => new SeedRow(
            Employers[i % Employers.Length],
            i % 3 == 0 ? "software-engineer" : "ml-engineer",
            $"L{3 + i % 4}",
            new[] { "us-ca-sf-bay-area", "us-ny-new-york", "us-wa-seattle", "fr-idf-paris" }[i % 4],
            "USD",
            new DateOnly(2023, 1, 1).AddDays(random.Next(500)),
            100_000m + random.Next(150_000),
            TargetBonus: i % 2 == 0 ? 10_000m + random.Next(20_000) : null,
            EquityGrant: i % 3 == 0 ? 200_000m + random.Next(400_000) : null)).ToList();
        await Factory.InsertAsync(rows);
        // A mapping, so that employer levels are checked against one.
        var mapping = await Factory.CreateAdminClient().PutAsJsonAsync($"/v1/employers/{Employer}/levels", new { levels = new Dictionary<string, string> { ["IC4"] = "L4", ["IC5"] = "L5" } });
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
    }

    private sealed record Snapshot(long Count, decimal Sum, string Checksum, Guid[] Ids);

    private async Task<Snapshot> SnapshotAsync(Guid[]? ids = null)
    {
        await using var connection = await Factory.OpenAsync();
        var where = ids is null ? "true" : "id = ANY(@ids)";
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), coalesce(sum(base_salary), 0), md5(coalesce(string_agg(id::text || ':' || base_salary::text || ':' || role || ':' || region || ':' || employer_id::text, ',' ORDER BY id), '')), " +
            $"coalesce(array_agg(id), '{{}}') FROM datapoints WHERE {where}", connection);
        if (ids is not null)
            command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Snapshot(reader.GetInt64(0), reader.GetDecimal(1), reader.GetString(2), reader.GetFieldValue<Guid[]>(3));
    }

    [Fact]
    public async Task Ten_thousand_malformed_requests_over_every_route_get_no_5xx_only_problems_and_store_nothing()
    {
        await SeedAsync();
        var before = await SnapshotAsync();
        // A host of its own, to read the exception behind any 5xx from its logs.
        var logs = new LogCapture();
        await using var app = Factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.ClearProviders().AddProvider(logs)));
        var server = app.Server;
        var generator = new MalformedRequests(new Random(Seed), Employer);
        var probes = generator.Landmarks().Concat(Enumerable.Range(0, RandomRequests).Select(_ => generator.Next()));

        var statuses = new ConcurrentDictionary<int, int>();
        var routes = new ConcurrentDictionary<string, ConcurrentDictionary<int, int>>();
        var failures = new ConcurrentQueue<string>();
        var storedSingles = new ConcurrentDictionary<Guid, string>();
        var storedBatches = new ConcurrentDictionary<Guid, int>();
        var total = 0;
        var refusedByHost = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (probe, _) =>
        {
            Answer? sent;
            try
            {
                sent = await server.SendAsync(probe, CompApiFactory.AdminKey);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref total);
                statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                failures.Enqueue($"threw {ex.GetType().Name}: {ex.Message} — {probe}");
                return;
            }
            if (sent is not { } answer)
            {
                Interlocked.Increment(ref refusedByHost);
                return;
            }
            Interlocked.Increment(ref total);
            statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            routes.GetOrAdd(probe.Route, _ => new()).AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            foreach (var problem in Check(probe, answer))
                failures.Enqueue($"{problem} — {probe} → {answer.Status} {answer.ContentType} {Shorten(answer.Body)}{Cause(answer, logs)}");

            // Requests that happened to be valid (a mutation can land on a valid value) are counted, not forbidden.
            if (answer.Status == 201 && probe.Route == "POST /v1/datapoints")
                storedSingles.TryAdd(JsonDocument.Parse(answer.Body).RootElement.GetProperty("id").GetGuid(), probe.Description);
            if (answer.Status == 200 && probe.Route == "POST /v1/datapoints/batch")
            {
                var body = JsonDocument.Parse(answer.Body).RootElement;
                storedBatches.TryAdd(body.GetProperty("batchId").GetGuid(), body.GetProperty("accepted").GetInt32());
            }
        });

        output.WriteLine($"{total} requests in {clock.Elapsed.TotalSeconds:0.0} s (seed {Seed}); {refusedByHost} more with a NUL in the path, " +
            "which no server hands to the application (Kestrel answers 400 itself) and the test server cannot build, were not sent; status counts:");
        foreach (var (status, count) in statuses.OrderBy(s => s.Key))
            output.WriteLine($"  {status}: {count}");
        output.WriteLine("by route:");
        foreach (var (route, perStatus) in routes.OrderBy(r => r.Key, StringComparer.Ordinal))
            output.WriteLine($"  {route}: {string.Join(", ", perStatus.OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}"))}");
        var storedBatchRows = storedBatches.Values.Sum();
        output.WriteLine($"valid by chance and stored: {storedSingles.Count} single datapoints ({string.Join("; ", storedSingles.Values.Take(10))}), " +
            $"{storedBatches.Count} batches with {storedBatchRows} rows");

        foreach (var failure in failures)
            output.WriteLine("FAILED " + failure);
        var counts = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Assert.True(total >= 10_000, $"only {total} requests were made");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {total} requests failed the checks ({counts}); first ones:\n" + string.Join("\n", failures.Take(25)));
        Assert.True(!statuses.Keys.Any(s => s >= 500), $"5xx among {total} requests: {counts}");

        // Nothing a rejected request sent was stored; the seeded rows are untouched.
        var after = await SnapshotAsync();
        var seeded = await SnapshotAsync(before.Ids);
        Assert.Equal((before.Count, before.Sum, before.Checksum), (seeded.Count, seeded.Sum, seeded.Checksum));
        Assert.Equal(before.Count + storedSingles.Count + storedBatchRows, after.Count);
        Assert.Equal(storedSingles.Count, (await SnapshotAsync([.. storedSingles.Keys])).Count);
        Assert.Equal(storedBatchRows, await Factory.ScalarAsync<long>(
            $"SELECT count(*) FROM datapoints WHERE batch_id IN ({string.Join(",", storedBatches.Keys.Select(k => $"'{k}'").DefaultIfEmpty("NULL"))})"));
        // The tables an injection would aim at are all there.
        Assert.Equal(Employers.Length, await Factory.ScalarAsync<long>($"SELECT count(*) FROM employers WHERE slug IN ({string.Join(",", Employers.Select(e => $"'{e}'"))})"));
        Assert.True(await Factory.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE name = 'bootstrap-admin' AND revoked_at IS NULL") == 1);
    }

    /// <summary>What must hold of any answer to a malformed request.</summary>
    private static IEnumerable<string> Check(Probe probe, Answer answer)
    {
        if (answer.Status >= 500)
            yield return $"{answer.Status} for bad input";
        if (answer.Status is >= 400 and < 500)
        {
            if (answer.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
                yield return $"a {answer.Status} that is not application/problem+json";
            else
            {
                JsonElement problem = default;
                string? error = null;
                try
                {
                    problem = JsonDocument.Parse(answer.Body).RootElement;
                }
                catch (JsonException ex)
                {
                    error = ex.Message;
                }
                if (error is not null)
                    yield return $"a problem body that is not JSON ({error})";
                else if (!problem.TryGetProperty("status", out var status) || status.GetInt32() != answer.Status)
                    yield return $"a problem whose status is not {answer.Status}";
            }
        }
        if (answer.Status == 401 && !probe.Anonymous)
            yield return "401 with the admin key";
        if (answer.Status == 403)
            yield return "403 with the admin key or no key (no key needs 401)";
        if (answer.ContentType?.StartsWith("image/svg+xml", StringComparison.Ordinal) == true
            && (answer.Body.Contains("<script", StringComparison.OrdinalIgnoreCase) || answer.Body.Contains("<svg onload", StringComparison.OrdinalIgnoreCase)))
            yield return "an SVG with markup taken from the request";
        if (probe.Method == "DELETE" && probe.Route.Contains("{id}", StringComparison.Ordinal) && answer.Status is >= 200 and < 300)
            yield return "a DELETE of an id that names nothing succeeded";
    }

    /// <summary>The exception the host logged for a 5xx, found by the problem's traceId.</summary>
    private static string Cause(Answer answer, LogCapture logs)
    {
        if (answer.Status < 500)
            return "";
        string? traceId = null;
        try
        {
            traceId = JsonDocument.Parse(answer.Body).RootElement.GetProperty("traceId").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
        }
        var logged = logs.Entries.FirstOrDefault(e => e.Exception is not null && e.ActivityId == traceId);
        return logged is null ? " (no exception logged)" : $" caused by {logged.Exception!.GetType().Name}: {logged.Exception.Message} at {logged.Exception.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Comp."))?.Trim()}";
    }

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;

    /// <summary>Text that is valid, however much it looks like SQL, markup or an escape, within the limits of its field.</summary>
    public static readonly TheoryData<string> HostileButValidText = new()
    {
        MalformedRequests.SqlInjection,
        MalformedRequests.Script,
        "Robert'); DROP TABLE employers;-- \" OR \"\"=\"",
        "%00 %zz %FF \\u0000 \\x00 \\\\",
        "😀 naïve café — 東京 مرحبا",
        "line one\nline two\r\n\ttabbed",
        "\u202Eexe.txt ${jndi:ldap://x/a} {{7*7}} <%= 7*7 %>",
        "<svg onload=alert(1)><img src=x onerror=alert(1)>",
        new string('n', 50),
    };

    [Theory]
    [MemberData(nameof(HostileButValidText))]
    public async Task Text_that_is_valid_is_stored_and_read_back_verbatim_however_hostile_it_looks(string text)
    {
        var admin = Factory.CreateAdminClient();
        var employerLevel = text.Length <= 50 ? text : text[..50];
        var created = await admin.PostOkAsync(Infrastructure.Datapoints.Valid(employer: "verbatim-co")
            .With("employerName", text).With("employerLevel", employerLevel).With("sourceNote", text));
        var id = created.GetProperty("id").GetGuid();

        var read = await JsonAsync(await admin.GetAsync($"/v1/datapoints/{id}"));

        Assert.Equal(text, read.GetProperty("sourceNote").GetString());
        Assert.Equal(text, read.GetProperty("employerName").GetString());
        Assert.Equal(employerLevel, read.GetProperty("employerLevel").GetString());
        await using (var connection = await Factory.OpenAsync())
        await using (var command = new NpgsqlCommand("SELECT d.source_note, e.name, d.employer_level FROM datapoints d JOIN employers e ON e.id = d.employer_id WHERE d.id = @id", connection))
        {
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((text, text, employerLevel), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));

        // Elsewhere too: a key's name, an FX rate's source, a compare label — and the chart escapes the label.
        var key = await admin.PostAsJsonAsync("/v1/keys", new { name = text, scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        var keyId = (await JsonAsync(key)).GetProperty("id").GetGuid();
        var keys = await JsonAsync(await admin.GetAsync("/v1/keys"));
        Assert.Equal(text, keys.EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == keyId).GetProperty("name").GetString());

        var fx = await admin.PutAsJsonAsync("/v1/fx-rates", new[] { new { currency = "EUR", date = "2021-01-04", usdPerUnit = 1.1m, source = text } });
        Assert.Equal(HttpStatusCode.OK, fx.StatusCode);
        var rates = await JsonAsync(await admin.GetAsync("/v1/fx-rates?currency=EUR"));
        Assert.Equal(text, rates.EnumerateArray().Single(r => r.GetProperty("date").GetString() == "2021-01-04").GetProperty("source").GetString());

        var label = text.Length <= 100 ? text : text[..100];
        var compare = new { segments = new[] { new { label, filter = new { role = "ml-engineer" } } } };
        var answer = await JsonAsync(await admin.PostAsJsonAsync("/v1/bands/compare", compare));
        Assert.Equal(label, answer.GetProperty("cells")[0].GetProperty("label").GetString());
        var svg = await (await admin.PostAsJsonAsync("/v1/bands/chart.svg", compare)).Content.ReadAsStringAsync();
        Assert.StartsWith("<svg", svg);
        Assert.DoesNotContain("<script", svg);
        Assert.DoesNotContain("<svg onload", svg);
        Assert.DoesNotContain("<img", svg);
    }

    [Theory]
    [InlineData("sourceNote")]
    [InlineData("employerName")]
    [InlineData("employerLevel")]
    public async Task A_NUL_character_in_a_text_field_is_a_400_naming_the_field_and_stores_nothing(string field)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/datapoints", Infrastructure.Datapoints.Valid().With(field, "before\u0000after"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints"));
    }
}
