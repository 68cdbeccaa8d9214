using System.Diagnostics;
using System.Globalization;

namespace Comp.Reliability;

/// <summary>
/// Scenario 4, budget. Two API processes on one database (the script starts both, with
/// RateLimits:AnonymousPerMinute at <see cref="Settings.AnonymousPerMinute"/>, and 127.0.0.1 as a
/// known proxy) and one anonymous client (an address of its own in <c>X-Forwarded-For</c>, so the
/// other scenarios' callers on 127.0.0.1 do not count) sending to both at once, each side paced, <see cref="Sent"/> requests of one
/// unit each in all. A budget per process would let every request through (each process sees
/// fewer than the budget); the shared budget must admit the budget and at most what the two
/// processes can admit in one sync interval beyond it, refuse the rest with 429 on both processes,
/// and the shared row must hold exactly what was admitted.
/// </summary>
public static class BudgetScenario
{
    /// <summary>Per process: each side sends half, which stays under the budget on its own.</summary>
    private const int Sent = 100;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(40);

    public static async Task<bool> RunAsync(Settings settings, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var budget = settings.AnonymousPerMinute;
        if (settings.SecondApiUrl is null)
        {
            checks.That(false, "RELIABILITY_API2 names the second process");
            return false;
        }
        using var first = new HttpClient { BaseAddress = new Uri(settings.ApiUrl), Timeout = TimeSpan.FromSeconds(10) };
        using var second = new HttpClient { BaseAddress = new Uri(settings.SecondApiUrl), Timeout = TimeSpan.FromSeconds(10) };
        foreach (var http in new[] { first, second })
            if (!checks.That(await Probe.WaitReadyAsync(http, TimeSpan.FromSeconds(90), cancellationToken) is not null, $"{http.BaseAddress} is ready"))
                return false;
        if (!checks.That(Sent / 2 < budget && Sent > budget + 10, $"the budget ({budget}) is above what one process gets ({Sent / 2}) and below what both get ({Sent})"))
            return false;

        // Budgets are per wall-clock minute: start with at least 20 s of the window left (the scenario takes about 3 s).
        var now = DateTimeOffset.UtcNow;
        var left = TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        if (left < TimeSpan.FromSeconds(20))
            await Task.Delay(left + TimeSpan.FromMilliseconds(300), cancellationToken);

        // Warm up: each process reads and syncs a budget of another address once, so what is measured is the steady state.
        foreach (var http in new[] { first, second })
        {
            using var warm = new HttpRequestMessage(HttpMethod.Get, "v1/roles");
            warm.Headers.Add("X-Forwarded-For", "198.51.100.255");
            (await http.SendAsync(warm, cancellationToken)).Dispose();
        }
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);

        var client = $"198.51.100.{Random.Shared.Next(1, 255)}";
        async Task<List<(int Status, string? Policy, string? Budget)>> SideAsync(HttpClient http)
        {
            var answers = new List<(int, string?, string?)>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Sent / 2; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "v1/roles");
                request.Headers.Add("X-Forwarded-For", client);
                using var response = await http.SendAsync(request, cancellationToken);
                answers.Add(((int)response.StatusCode,
                    response.Headers.TryGetValues("RateLimit-Policy", out var policy) ? policy.Single() : null,
                    response.Headers.TryGetValues("RateLimit", out var state) ? state.Single() : null));
                var next = Pace * (i + 1) - clock.Elapsed;
                if (next > TimeSpan.Zero)
                    await Task.Delay(next, cancellationToken);
            }
            return answers;
        }

        var took = Stopwatch.StartNew();
        var sides = await Task.WhenAll(SideAsync(first), SideAsync(second));
        var elapsed = took.Elapsed;
        var admitted = sides.Select(s => s.Count(a => a.Status == 200)).ToArray();
        var refused = sides.Select(s => s.Count(a => a.Status == 429)).ToArray();
        Report.Line($"{Sent} requests in {Report.S(elapsed)}, half to each process: admitted {admitted[0]} + {admitted[1]}, refused {refused[0]} + {refused[1]}");
        foreach (var (side, i) in sides.Select((s, i) => (s, i + 1)))
            Report.Line($"process {i}, RateLimit r in order: {string.Join(" ", side.Select(a => a.Budget?.Split(';')[1][2..] ?? "-"))}");

        // A process learns what the other admitted within two sync intervals (RateLimits:SyncMilliseconds,
        // 100 ms: the other adds its charges, then this one reads the total): at one request per 40 ms
        // a side, each side admits at most 5 the other does not know of yet.
        var overshoot = 2 * (int)Math.Ceiling(2 * 100 / Pace.TotalMilliseconds);
        checks.That(sides.All(s => s.All(a => a.Status is 200 or 429)), "every answer was 200 or 429");
        checks.That(admitted.Sum() >= budget && admitted.Sum() <= budget + overshoot,
            $"the two processes admitted the budget and at most {overshoot} more in all ({admitted.Sum()}, budget {budget}; a budget per process would have admitted all {Sent})");
        checks.That(refused.All(r => r > 0), $"both processes refused once the shared budget was spent ({refused[0]}, {refused[1]})");
        checks.That(sides.All(s => s.All(a => a.Policy == $"\"default\";q={budget};w=60")), $"every answer carries RateLimit-Policy: \"default\";q={budget};w=60");
        var lastAdmitted = sides.SelectMany(s => s).Where(a => a.Status == 200).Select(a => a.Budget).ToList();
        checks.That(lastAdmitted.All(b => b is not null && b.StartsWith("\"default\";r=", StringComparison.Ordinal)), "every answer carries RateLimit: \"default\";r=…;t=…");

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var db = new Db(settings.Database);
        var used = await db.ScalarAsync<long>("SELECT coalesce(sum(used), 0) FROM rate_budgets WHERE partition = @p AND window_start = date_trunc('minute', now())",
            cancellationToken, ("p", "ip:" + client));
        checks.That(used == admitted.Sum(), $"the shared budget row holds what was admitted ({used.ToString(CultureInfo.InvariantCulture)})");
        return checks.Passed;
    }
}
