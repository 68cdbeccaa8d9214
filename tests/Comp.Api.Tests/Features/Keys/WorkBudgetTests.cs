using System.Net;
using System.Net.Http.Json;
using Comp.Api.Auth;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.Keys;

/// <summary>
/// The rate limits as budgets of work units (issue 15): what a request costs, the RateLimit header
/// fields, the 429, one budget shared by two instances, and the client behind a known proxy. Each
/// test's callers are its own (a fresh key, or a client address of its own through <see cref="PeerAddress"/>),
/// since budgets are shared through the database by every host of the run.
/// </summary>
public sealed class WorkBudgetTests(CompApiFactory factory) : ApiTest(factory)
{
    /// <summary>Test-only: the connection's remote address from <c>X-Test-Peer</c> (TestServer has none), before the service's own middleware.</summary>
    private sealed class PeerAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Headers.TryGetValue("X-Test-Peer", out var peer))
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                return following(context);
            });
            next(app);
        };
    }

    private WebApplicationFactory<Program> Instance(params (string Key, string Value)[] settings) => Factory.WithWebHostBuilder(b =>
    {
        b.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerAddress>());
        foreach (var (key, value) in settings)
            b.UseSetting(key, value);
    });

    private static HttpClient From(WebApplicationFactory<Program> instance, string peer, string? key = null)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Add("X-Test-Peer", peer);
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<string> KeyAsync(params string[] scopes)
    {
        var response = await Factory.CreateAdminClient().PostAsJsonAsync("/v1/keys", new { name = "budget " + string.Join("+", scopes), scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("key").GetString()!;
    }

    /// <summary>Budgets are per wall-clock minute: a test that counts starts at least 20 s before the minute ends.</summary>
    private static async Task AwayFromWindowEndAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var left = WorkBudgets.WindowOf(now) + WorkBudgets.Window - now;
        if (left < TimeSpan.FromSeconds(20))
            await Task.Delay(left + TimeSpan.FromMilliseconds(200));
    }

    /// <summary>(r, t) of the RateLimit field; asserts the policy's quota and window.</summary>
    private static (long Remaining, int Reset) Budget(HttpResponseMessage response, long quota)
    {
        Assert.Equal($"\"default\";q={quota};w=60", response.Headers.GetValues("RateLimit-Policy").Single());
        var fields = response.Headers.GetValues("RateLimit").Single().Split(';');
        Assert.Equal("\"default\"", fields[0]);
        Assert.StartsWith("r=", fields[1]);
        Assert.StartsWith("t=", fields[2]);
        return (long.Parse(fields[1][2..]), int.Parse(fields[2][2..]));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1_024, 1)]
    [InlineData(1_025, 2)]
    [InlineData(4_096, 2)]
    [InlineData(8_192, 3)]
    [InlineData(25_019, 6)]
    [InlineData(100_000, 12)]
    [InlineData(131_072, 12)]
    [InlineData(1_000_000, 32)]
    [InlineData(10_000_000, 128)]
    public void A_request_costs_the_square_root_of_its_rows_in_power_of_two_steps(long rows, int units)
    {
        Assert.Equal(units, WorkCost.Units(rows));
    }

    [Fact]
    public void Anything_from_100000_rows_costs_at_least_ten_times_anything_under_1000()
    {
        var small = Enumerable.Range(0, 1000).Max(n => WorkCost.Units(n));
        Assert.Equal(1, small);
        Assert.True(WorkCost.Units(100_000) >= 10 * small);
    }

    [Fact]
    public async Task A_broad_cut_is_charged_twelve_units_and_a_tiny_one_one_in_both_tiers()
    {
        await AwayFromWindowEndAsync();
        // 100,000 rows of one role in California across 20 employers, and 300 of a designer cut.
        await Factory.InsertAsync(Enumerable.Range(0, 100_000)
            .Select(i => new SeedRow($"budget-{i % 20}", "ml-engineer", "L4", "us-ca", "USD", new DateOnly(2024, 3, 1), 100_000m + i % 5_000))
            .Concat(Enumerable.Range(0, 300).Select(i => new SeedRow($"budget-{i % 6}", "designer", "L3", "us-or", "USD", new DateOnly(2024, 3, 1), 90_000m + i)))
            .ToList());
        await using var instance = Instance(("RateLimits:KeyPerMinute", "100000"));

        foreach (var scopes in new[] { new[] { "read" }, new[] { "read", "exact" } })
        {
            var client = From(instance, "192.0.2.10", await KeyAsync(scopes));
            var tiny = await client.GetAsync("/v1/bands?role=designer&region=us-or&component=base");
            var broad = await client.GetAsync("/v1/bands?role=ml-engineer&region=us-ca&component=base");
            var taxonomy = await client.GetAsync("/v1/roles");

            Assert.Equal(HttpStatusCode.OK, tiny.StatusCode);
            Assert.Equal(HttpStatusCode.OK, broad.StatusCode);
            var n = (await JsonAsync(broad)).GetProperty("cells")[0].GetProperty("n").GetInt32();
            Assert.InRange(n, 65_537, 131_072);
            Assert.Equal(100_000 - 1, Budget(tiny, 100_000).Remaining);
            Assert.Equal(100_000 - 1 - 12, Budget(broad, 100_000).Remaining);
            Assert.Equal(100_000 - 1 - 12 - 1, Budget(taxonomy, 100_000).Remaining);
            Assert.InRange(Budget(taxonomy, 100_000).Reset, 1, 60);
        }
    }

    [Fact]
    public async Task A_caller_whose_budget_is_spent_gets_a_429_problem_with_Retry_After_until_the_window_ends()
    {
        await AwayFromWindowEndAsync();
        await using var instance = Instance(("RateLimits:AnonymousPerMinute", "3"));
        var client = From(instance, "192.0.2.20");

        var answers = new List<HttpResponseMessage>();
        var took = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            answers.Add(await client.GetAsync("/v1/roles"));
            took.Add(watch.Elapsed);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal([2L, 1L, 0L, 0L], answers.Select(a => Budget(a, 3).Remaining));
        // The refusal is held back RateLimits:RefusalDelayMilliseconds (1 s): a client that asks again at once gets one answer a second per connection.
        Assert.True(took[^1] >= TimeSpan.FromMilliseconds(950), $"the refusal came after {took[^1].TotalMilliseconds:0} ms");
        var refused = answers[^1];
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(retryAfter, Budget(refused, 3).Reset);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal(429, (await JsonAsync(refused)).GetProperty("status").GetInt32());
        // Another client address has its own budget; the health probes and admin keys are not limited and carry no budget.
        Assert.Equal(HttpStatusCode.OK, (await From(instance, "192.0.2.21").GetAsync("/v1/roles")).StatusCode);
        var health = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(health.Headers.Contains("RateLimit"));
        var admin = await From(instance, "192.0.2.20", CompApiFactory.AdminKey).GetAsync("/v1/roles");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.False(admin.Headers.Contains("RateLimit-Policy"));
    }

    [Fact]
    public async Task Requests_arriving_together_cannot_all_pass_on_the_last_units()
    {
        await AwayFromWindowEndAsync();
        await using var instance = Instance(("RateLimits:AnonymousPerMinute", "3"), ("RateLimits:RefusalDelayMilliseconds", "0"));
        var client = From(instance, "192.0.2.25");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ => (await client.GetAsync("/v1/roles")).StatusCode));

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_keys_budget_is_its_own_whatever_address_it_calls_from()
    {
        await AwayFromWindowEndAsync();
        await using var instance = Instance(("RateLimits:KeyPerMinute", "2"));
        var key = await KeyAsync("read");

        var statuses = new List<HttpStatusCode>();
        foreach (var peer in new[] { "192.0.2.30", "192.0.2.31", "192.0.2.32" })
            statuses.Add((await From(instance, peer, key).GetAsync("/v1/roles")).StatusCode);
        var anonymous = await From(instance, "192.0.2.30").GetAsync("/v1/roles");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact]
    public async Task Two_instances_on_one_database_share_one_budget()
    {
        await AwayFromWindowEndAsync();
        (string, string)[] settings = [("RateLimits:AnonymousPerMinute", "10"), ("RateLimits:SyncMilliseconds", "50")];
        await using var first = Instance(settings);
        await using var second = Instance(settings);
        var a = From(first, "192.0.2.40");
        var b = From(second, "192.0.2.40");

        for (var i = 0; i < 6; i++)
            Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/v1/roles")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1));
        // The second instance reads the caller's total before its first request: 6 used there, 7 now.
        var firstOnSecond = await b.GetAsync("/v1/roles");
        Assert.Equal(3, Budget(firstOnSecond, 10).Remaining);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await b.GetAsync("/v1/roles")).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await Task.Delay(TimeSpan.FromSeconds(1));
        // And the first instance has learnt what the second charged.
        var back = await a.GetAsync("/v1/roles");
        Assert.Equal(HttpStatusCode.TooManyRequests, back.StatusCode);
        Assert.Equal(10L, await Factory.ScalarAsync<long>("SELECT used FROM rate_budgets WHERE partition = 'ip:192.0.2.40'"));
    }

    [Fact]
    public async Task Behind_a_known_proxy_the_budget_is_the_clients_and_anyone_else_cannot_choose_an_address()
    {
        await AwayFromWindowEndAsync();
        await using var instance = Instance(("RateLimits:AnonymousPerMinute", "2"), ("ForwardedHeaders:KnownProxies:0", "10.9.9.9"));
        HttpResponseMessage Get(string peer, string forwardedFor)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/roles");
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            return From(instance, peer).SendAsync(request).GetAwaiter().GetResult();
        }

        // Through the proxy: each client its own budget.
        var viaProxy = new[] { Get("10.9.9.9", "203.0.113.1"), Get("10.9.9.9", "203.0.113.1"), Get("10.9.9.9", "203.0.113.1"), Get("10.9.9.9", "203.0.113.2") };
        // From elsewhere, the header is not believed: every request is the sender's.
        var direct = new[] { Get("10.9.9.8", "203.0.113.3"), Get("10.9.9.8", "203.0.113.4"), Get("10.9.9.8", "203.0.113.5") };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], viaProxy.Select(r => r.StatusCode));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], direct.Select(r => r.StatusCode));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var partitions = (await Factory.ScalarAsync<string>(
            "SELECT string_agg(partition || '=' || used, ',' ORDER BY partition) FROM rate_budgets WHERE partition IN ('ip:203.0.113.1', 'ip:203.0.113.2', 'ip:10.9.9.8', 'ip:10.9.9.9', 'ip:203.0.113.3')"));
        Assert.Equal("ip:10.9.9.8=2,ip:203.0.113.1=2,ip:203.0.113.2=1", partitions);
    }
}
