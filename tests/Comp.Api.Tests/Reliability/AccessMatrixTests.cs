using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Npgsql;
using Xunit.Abstractions;

namespace Comp.Api.Tests.Reliability;

/// <summary>
/// SPEC §5 as a matrix: every route against every kind of caller — no key, a read, an ingest and
/// an admin key, a revoked key, and keys that are unknown or malformed — answers exactly as the
/// access rules say, with AllowAnonymousRead on and off; no secret appears in any answer after
/// its creation or in any log line; the database holds hashes, never secrets.
/// </summary>
public sealed class AccessMatrixTests(CompApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    /// <summary>Who calls: a name and the X-Api-Key values sent (none for an anonymous caller).</summary>
    private sealed record Caller(string Name, string[] Keys, string? Scope, bool Valid, string? Accept = null);

    /// <summary>A route, the scope it needs (null: none), and how to make one request to it that succeeds for a caller with that scope.</summary>
    private sealed record Route(string Name, string? Scope, HttpStatusCode Success, Func<HttpClient, Task<HttpRequestMessage>> Build);

    private const string Employer = "matrix-co";

    /// <summary>The scope of a route that needs a key with read, even when anonymous callers may read.</summary>
    private const string KeyedRead = "keyed-read";
    private readonly List<string> createdSecrets = [];
    private int unique;

    private string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref unique)}";

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Send(HttpMethod method, string path, object body, bool idempotent = false)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (idempotent)
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return request;
    }

    private static readonly object Comparison = new { segments = new[] { new { label = "ML", filter = new { role = "ml-engineer" } } } };

    private List<Route> Routes(Guid ownDatapoint) =>
    [
        new("GET /v1/bands", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/bands?role=ml-engineer"))),
        new("POST /v1/bands/compare", "read", HttpStatusCode.OK, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/bands/compare", Comparison))),
        new("GET /v1/bands/position", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/bands/position?amount=150000&role=ml-engineer"))),
        new("GET /v1/bands/trend", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/bands/trend?role=ml-engineer&interval=quarter"))),
        new("GET /v1/bands/chart.svg", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/bands/chart.svg?role=ml-engineer"))),
        new("POST /v1/bands/chart.svg", "read", HttpStatusCode.OK, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/bands/chart.svg", Comparison))),
        new("GET /v1/employers", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/employers"))),
        new("GET /v1/roles", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/roles"))),
        new("GET /v1/levels", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/levels"))),
        new("GET /v1/industries", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/industries"))),
        new("GET /v1/regions", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/regions?parent=us"))),
        new("GET /v1/employers/{slug}/levels", "read", HttpStatusCode.OK, _ => Task.FromResult(Get($"/v1/employers/{Employer}/levels"))),
        new("GET /v1/fx-rates", "read", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/fx-rates?currency=EUR"))),
        // A peer group belongs to a key: read scope, but never anonymous. Each POST saves ten new employers of its own,
        // so every group differs from the others by far more than the difference rule asks. (Reading or deleting one
        // group by id depends on who owns it: PeerGroupTests.)
        new("GET /v1/peer-groups", KeyedRead, HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/peer-groups"))),
        new("POST /v1/peer-groups", KeyedRead, HttpStatusCode.Created, async admin =>
        {
            var employers = Enumerable.Range(0, 10).Select(_ => Unique("matrix-peer-")).ToList();
            foreach (var slug in employers)
                Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/employers", new { slug, name = slug })).StatusCode);
            return Send(HttpMethod.Post, "/v1/peer-groups", new { name = "matrix", employers });
        }),
        new("POST /v1/datapoints", "ingest", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/datapoints", Infrastructure.Datapoints.Valid(employer: Employer)))),
        new("POST /v1/datapoints/batch", "ingest", HttpStatusCode.OK,
            _ => Task.FromResult(Send(HttpMethod.Post, "/v1/datapoints/batch", new[] { Infrastructure.Datapoints.Valid(employer: Employer) }, idempotent: true))),
        new("GET /v1/datapoints/{id}", "ingest", HttpStatusCode.OK, _ => Task.FromResult(Get($"/v1/datapoints/{ownDatapoint}"))),
        new("DELETE /v1/datapoints/{id}", "admin", HttpStatusCode.NoContent, async admin =>
        {
            var created = await admin.PostOkAsync(Infrastructure.Datapoints.Valid(employer: Employer));
            return new HttpRequestMessage(HttpMethod.Delete, $"/v1/datapoints/{created.GetProperty("id").GetGuid()}");
        }),
        new("POST /v1/employers", "admin", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/employers", new { slug = Unique("employer-"), name = "E" }))),
        new("POST /v1/roles", "admin", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/roles", new { slug = Unique("role-"), title = "R", family = "research" }))),
        new("POST /v1/regions", "admin", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/regions", new { code = Unique("us-ca-metro"), name = "M", currency = "USD" }))),
        new("PATCH /v1/employers/{slug}", "admin", HttpStatusCode.OK, _ => Task.FromResult(Send(HttpMethod.Patch, $"/v1/employers/{Employer}", new { stage = "public" }))),
        new("POST /v1/industries", "admin", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/industries", new { slug = Unique("industry-"), name = "I" }))),
        new("PUT /v1/employers/{slug}/levels", "admin", HttpStatusCode.OK,
            _ => Task.FromResult(Send(HttpMethod.Put, $"/v1/employers/{Employer}/levels", new { levels = new Dictionary<string, string> { ["IC4"] = "L4" } }))),
        new("PUT /v1/fx-rates", "admin", HttpStatusCode.OK,
            _ => Task.FromResult(Send(HttpMethod.Put, "/v1/fx-rates", new[] { new { currency = "EUR", date = "2021-01-04", usdPerUnit = 1.1m, source = "matrix" } }))),
        new("POST /v1/keys", "admin", HttpStatusCode.Created, _ => Task.FromResult(Send(HttpMethod.Post, "/v1/keys", new { name = Unique("key-"), scopes = new[] { "read" } }))),
        new("GET /v1/keys", "admin", HttpStatusCode.OK, _ => Task.FromResult(Get("/v1/keys"))),
        new("DELETE /v1/keys/{id}", "admin", HttpStatusCode.NoContent, async admin =>
        {
            var created = await JsonAsync(await admin.PostAsJsonAsync("/v1/keys", new { name = Unique("doomed-"), scopes = new[] { "read" } }));
            createdSecrets.Add(created.GetProperty("key").GetString()!);
            return new HttpRequestMessage(HttpMethod.Delete, $"/v1/keys/{created.GetProperty("id").GetGuid()}");
        }),
        new("GET /health/live", null, HttpStatusCode.OK, _ => Task.FromResult(Get("/health/live"))),
        new("GET /health/ready", null, HttpStatusCode.OK, _ => Task.FromResult(Get("/health/ready"))),
        new("GET /swagger", null, HttpStatusCode.MovedPermanently, _ => Task.FromResult(Get("/swagger"))),
        new("GET /swagger/index.html", null, HttpStatusCode.OK, _ => Task.FromResult(Get("/swagger/index.html"))),
        new("GET /swagger/v1/swagger.json", null, HttpStatusCode.OK, _ => Task.FromResult(Get("/swagger/v1/swagger.json"))),
    ];

    private static HttpStatusCode Expected(Route route, Caller caller, bool allowAnonymousRead)
    {
        if (caller.Keys.Length > 0 && !caller.Valid)
            return HttpStatusCode.Unauthorized;           // a key that is presented must be valid, on every route
        if (route.Scope is null)
            return route.Success;
        if (caller.Scope is null)
            return route.Scope == "read" && allowAnonymousRead ? route.Success : HttpStatusCode.Unauthorized;
        return caller.Scope == "admin" || caller.Scope == route.Scope || (route.Scope == KeyedRead && caller.Scope == "read") ? route.Success : HttpStatusCode.Forbidden;
    }

    /// <summary>
    /// Sends the request straight into the test server with the X-Api-Key values exactly as given
    /// (an empty one, two of them, non-ASCII), which <see cref="HttpClient"/> would drop or refuse.
    /// </summary>
    private static async Task<Answer> SendAsync(TestServer server, HttpRequestMessage request, string[] keys)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync();
        var target = request.RequestUri!.OriginalString.Split('?', 2);
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = request.Method.Method;
            c.Request.Path = target[0];
            c.Request.QueryString = target.Length > 1 ? new QueryString("?" + target[1]) : QueryString.Empty;
            foreach (var header in request.Headers)
                c.Request.Headers[header.Key] = new StringValues([.. header.Value]);
            if (keys.Length > 0)
                c.Request.Headers["X-Api-Key"] = new StringValues(keys);
            if (body is not null)
            {
                c.Request.Body = new MemoryStream(body);
                c.Request.ContentLength = body.Length;
                c.Request.ContentType = request.Content!.Headers.ContentType?.ToString();
            }
        });
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return new Answer(context.Response.StatusCode, context.Response.ContentType, await reader.ReadToEndAsync(), context.Response.Headers);
    }

    private static async Task<(Guid Id, string Secret)> CreateKeyAsync(HttpClient admin, string name, params string[] scopes)
    {
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name, scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        return (body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_route_answers_every_kind_of_caller_as_the_access_rules_say_and_no_secret_leaks(bool allowAnonymousRead)
    {
        var logs = new LogCapture();
        await using var app = Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Auth:AllowAnonymousRead", allowAnonymousRead ? "true" : "false");
            // Every level of every category, scopes included; the console is left out (it would only repeat them).
            b.ConfigureLogging(l => l.ClearProviders().AddProvider(logs).AddFilter<LogCapture>(null, LogLevel.Trace));
        });
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        var admin = app.CreateClient(options);
        admin.DefaultRequestHeaders.Add("X-Api-Key", CompApiFactory.AdminKey);

        var (_, read) = await CreateKeyAsync(admin, "matrix read", "read");
        var (_, ingest) = await CreateKeyAsync(admin, "matrix ingest", "ingest");
        var (_, adminKey) = await CreateKeyAsync(admin, "matrix admin", "admin");
        var (revokedId, revoked) = await CreateKeyAsync(admin, "matrix revoked", "admin", "read", "ingest");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{revokedId}")).StatusCode);
        var unknown = "comp_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        // Same length as a real key, one character off: refused like any unknown key.
        var nearMiss = read[..^1] + (read[^1] == 'A' ? 'B' : 'A');
        var tooLong = "comp_" + new string('k', 295);
        Caller[] callers =
        [
            new("no key", [], null, true),
            new("read key", [read], "read", true),
            new("ingest key", [ingest], "ingest", true),
            new("admin key", [adminKey], "admin", true),
            new("revoked admin key", [revoked], "admin", false),
            new("unknown key", [unknown], null, false),
            new("read key with its last character changed", [nearMiss], null, false),
            new("\"not a key\"", ["not a key"], null, false),
            new("300-character key", [tooLong], null, false),
            new("non-ASCII key", ["clé-ключ-🔑-" + new string('x', 20)], null, false),
            new("empty key", [""], null, false),
            new("two keys", [read, ingest], null, false),
            // Errors are problems whatever the client accepts (these were 500s when Accept left JSON out).
            new("no key, Accept: text/html", [], null, true, "text/html"),
            new("read key, Accept: text/csv", [read], "read", true, "text/csv"),
            new("revoked admin key, Accept: image/png", [revoked], "admin", false, "image/png"),
        ];
        var secrets = new List<string> { read, ingest, adminKey, revoked, unknown, nearMiss, tooLong, CompApiFactory.AdminKey };

        // The ingest key's own datapoint, which it (and admins) may read back.
        var ingestClient = app.CreateClient(options);
        ingestClient.DefaultRequestHeaders.Add("X-Api-Key", ingest);
        var own = (await ingestClient.PostOkAsync(Infrastructure.Datapoints.Valid(employer: Employer))).GetProperty("id").GetGuid();

        var routes = Routes(own);
        var mismatches = new List<string>();
        var answers = new List<(string What, string Text)>();
        var requests = 0;
        foreach (var route in routes)
        {
            foreach (var caller in callers)
            {
                var request = await route.Build(admin);
                if (caller.Accept is not null)
                    request.Headers.TryAddWithoutValidation("Accept", caller.Accept);
                var response = await SendAsync(app.Server, request, caller.Keys);
                requests++;
                var body = response.Body;
                var expected = Expected(route, caller, allowAnonymousRead);
                var what = $"{route.Name} with {caller.Name}";
                if (response.Status != (int)expected)
                    mismatches.Add($"{what}: {response.Status}, expected {(int)expected} — {body[..Math.Min(200, body.Length)]}");
                if (response.Status >= 400 && response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
                    mismatches.Add($"{what}: a {response.Status} that is not application/problem+json");
                if (response.Status == 401 && !response.Headers.ContainsKey("WWW-Authenticate"))
                    mismatches.Add($"{what}: a 401 without WWW-Authenticate");

                var headers = string.Join("\n", response.Headers.Select(h => $"{h.Key}: {h.Value}"));
                if (route.Name == "POST /v1/keys" && response.Status == 201)
                {
                    // The one answer that shows a secret: its own, once. Any other secret in it is a leak.
                    var created = JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
                    answers.Add((what, headers + "\n" + body.Replace(created, "<the new key>")));
                    secrets.Add(created);
                }
                else
                    answers.Add((what, headers + "\n" + body));
            }
        }
        secrets.AddRange(createdSecrets);
        var listed = await admin.GetStringAsync("/v1/keys");
        answers.Add(("GET /v1/keys after the matrix", listed));
        output.WriteLine($"AllowAnonymousRead={allowAnonymousRead}: {routes.Count} routes × {callers.Length} callers = {requests} requests; " +
            $"{secrets.Count} secrets searched for in {answers.Count} answers and {logs.Entries.Count} log entries");

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {requests} requests answered otherwise than the access rules say:\n" + string.Join("\n", mismatches));

        // No answer after a key's creation shows any secret, and nothing logged ever does.
        var leaks = answers.SelectMany(a => secrets.Where(s => a.Text.Contains(s, StringComparison.Ordinal)).Select(s => $"{a.What} shows {s[..8]}…")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        var entries = logs.Entries.ToList();
        Assert.True(entries.Count > 100, $"only {entries.Count} log entries captured");
        Assert.Contains(entries, e => e.Message.Contains("unknown or revoked", StringComparison.Ordinal)); // the capture sees authentication
        var logged = entries.SelectMany(e => secrets.Where(s => e.Text.Contains(s, StringComparison.Ordinal)).Select(s => $"{e.Category} {e.Level}: {e.Message} shows {s[..8]}…")).ToList();
        Assert.True(logged.Count == 0, string.Join("\n", logged.Take(10)));
    }

    [Fact]
    public async Task Keys_are_found_by_their_SHA_256_hash_so_no_secret_is_stored_or_compared_character_by_character()
    {
        var admin = Factory.CreateAdminClient();
        var keys = new List<(Guid Id, string Secret)>();
        foreach (var scopes in new[] { new[] { "read" }, ["ingest"], ["admin"], ["read", "ingest"] })
            keys.Add(await CreateKeyAsync(admin, "hashed " + string.Join("+", scopes), scopes));
        var (revokedId, _) = keys[3];
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{revokedId}")).StatusCode);
        // Each key works (and writes lastUsedAt) so that every column has been touched.
        foreach (var (_, secret) in keys.Take(3))
        {
            var client = Factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", secret);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }

        await using var connection = await Factory.OpenAsync();
        foreach (var (id, secret) in keys)
        {
            await using var command = new NpgsqlCommand("SELECT secret_hash, row_to_json(k)::text FROM api_keys k WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var stored = (byte[])reader[0];
            // The stored value is the SHA-256 of the secret, 32 bytes: the lookup is an equality on the hash in an index.
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), stored);
            Assert.Equal(Comp.Api.Auth.ApiKeySecrets.Hash(secret), stored);
            Assert.DoesNotContain(secret, reader.GetString(1));
            Assert.DoesNotContain(secret[5..], reader.GetString(1));
        }

        // Nowhere in the database: every row of every table, as text.
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        Assert.Contains("api_keys", tables);
        foreach (var table in tables)
        {
            foreach (var (_, secret) in keys.Append((Guid.Empty, CompApiFactory.AdminKey)))
            {
                await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, @s) > 0 OR strpos(t::text, @hex) > 0", connection);
                command.Parameters.AddWithValue("s", secret);
                command.Parameters.AddWithValue("hex", Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret)));
                Assert.True((long)(await command.ExecuteScalarAsync())! == 0, $"{table} holds a secret");
            }
        }

        // A secret one character off, or a prefix of a real one, is simply another hash: refused.
        var (_, real) = keys[0];
        foreach (var guess in new[] { real[..^1] + (real[^1] == 'A' ? 'B' : 'A'), real[..^1], real + "A", real.ToUpperInvariant() })
        {
            var client = Factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", guess);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/roles")).StatusCode);
        }
    }
}
