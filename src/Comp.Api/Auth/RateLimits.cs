using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Comp.Api.Auth;

public sealed class RateLimitOptions
{
    /// <summary>Work units per minute for each client IP without a key (<see cref="WorkCost"/>).</summary>
    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>Work units per minute for each non-admin API key.</summary>
    public int KeyPerMinute { get; set; } = 6000;

    /// <summary>How often an instance adds its charges to the shared budgets and reads the totals back (<see cref="WorkBudgets"/>).</summary>
    public int SyncMilliseconds { get; set; } = 100;

    /// <summary>
    /// How long a refusal waits before it is sent (at most until the window ends): a client that ignores
    /// <c>Retry-After</c> and asks again at once gets one answer per connection per this delay, not thousands a second.
    /// </summary>
    public int RefusalDelayMilliseconds { get; set; } = 1000;
}

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> is believed, so the per-IP budget sees the client and
/// not the proxy. None by default: a client cannot choose its own address by sending the header.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses of the proxies in front of the service, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies' entries to read from the right of <c>X-Forwarded-For</c>.</summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class RateLimits
{
    public const string PolicyName = "default";

    /// <summary>
    /// A budget of work units per one-minute window, per non-admin key and per anonymous client IP
    /// (admin keys and the health probes are not limited), shared by every instance through
    /// PostgreSQL (<see cref="WorkBudgets"/>); a request is charged by <see cref="WorkCost"/>.
    /// </summary>
    public static IServiceCollection AddCompRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection("RateLimits"));
        services.Configure<ForwardedHeadersSettings>(configuration.GetSection("ForwardedHeaders"));
        services.AddScoped<WorkMeter>();
        services.AddSingleton(provider =>
        {
            var budgets = ActivatorUtilities.CreateInstance<WorkBudgets>(provider);
            if (configuration.GetConnectionString("Comp") is { } connectionString)
                budgets.UseDatabase(NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
                {
                    ApplicationName = "comp-budgets",
                    MaxPoolSize = 4,
                }.ConnectionString));
            return budgets;
        });
        services.AddHostedService(provider => provider.GetRequiredService<WorkBudgets>());
        return services;
    }

    /// <summary><c>X-Forwarded-For</c> and <c>-Proto</c> from the configured proxies only; nothing when none is configured.</summary>
    public static IApplicationBuilder UseCompForwardedHeaders(this IApplicationBuilder app)
    {
        var settings = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value;
        if (settings.KnownProxies.Length == 0 && settings.KnownNetworks.Length == 0)
            return app;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = Math.Max(1, settings.ForwardLimit),
        };
        // The framework trusts loopback by default; here only what is configured.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in settings.KnownNetworks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        return app.UseForwardedHeaders(options);
    }

    public static IApplicationBuilder UseCompRateLimits(this IApplicationBuilder app) => app.UseMiddleware<WorkBudgetMiddleware>();

    /// <summary>The caller's budget: its key, or its IP without one; null for admin keys and the health probes.</summary>
    public static (string Partition, long Limit)? PartitionOf(HttpContext context, RateLimitOptions limits)
    {
        if (context.Request.Path.StartsWithSegments("/health"))
            return null;
        // The API-key scheme is the only one: an authenticated caller is a cached key.
        if (context.User.Identity is ApiKeyIdentity { Key: var key })
            return key.IsAdmin ? null : (key.Partition, limits.KeyPerMinute);
        return ("ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), limits.AnonymousPerMinute);
    }

    /// <summary>The IETF httpapi RateLimit fields (draft-ietf-httpapi-ratelimit-headers-08): quota and window, remaining and reset.</summary>
    public static void WriteHeaders(HttpResponse response, BudgetState state, DateTimeOffset now)
    {
        response.Headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";q={state.Limit};w={(int)WorkBudgets.Window.TotalSeconds}");
        response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";r={state.Remaining};t={state.SecondsLeft(now)}");
    }
}

/// <summary>
/// Admits a request while its caller has at least one unit left in the window, taking that unit at
/// once, and charges the rest of its cost (<see cref="WorkMeter"/>, known once the answer is made)
/// when the response starts. So the
/// last request of a window may take the budget below zero; the caller then waits for the next
/// window. A refusal is a 429 problem with <c>Retry-After</c>, sent after
/// <see cref="RateLimitOptions.RefusalDelayMilliseconds"/>; every limited response carries the
/// budget's headers.
/// </summary>
public sealed class WorkBudgetMiddleware(RequestDelegate next, WorkBudgets budgets, IOptionsMonitor<RateLimitOptions> options, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (RateLimits.PartitionOf(context, options.CurrentValue) is not { } caller)
        {
            await next(context);
            return;
        }
        var (admitted, state) = await budgets.AdmitAsync(caller.Partition, caller.Limit, context.RequestAborted);
        if (!admitted)
        {
            await RefuseAsync(context, state);
            return;
        }
        var charge = new Charge(context, budgets, caller.Partition, caller.Limit, clock);
        context.Response.OnStarting(static c => ((Charge)c).OnStarting(), charge);
        try
        {
            await next(context);
        }
        finally
        {
            // A response that never started (the client went away) still cost its work.
            charge.Once();
        }
    }

    private async Task RefuseAsync(HttpContext context, BudgetState state)
    {
        // Held back without a thread, up to the window's end: a client asking again at once, whatever Retry-After says,
        // costs one answer per connection per delay instead of the CPU its requests would take from the other callers.
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, options.CurrentValue.RefusalDelayMilliseconds));
        var untilWindowEnd = state.WindowEnd - clock.GetUtcNow();
        if (untilWindowEnd < delay)
            delay = untilWindowEnd;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, clock, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var now = clock.GetUtcNow();
        var retryAfter = state.SecondsLeft(now);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        RateLimits.WriteHeaders(response, state, now);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"The budget of {state.Limit} work units a minute is spent; retry after {retryAfter} s. A request costs {WorkCost.Formula}."),
            },
        });
    }

    private sealed class Charge(HttpContext context, WorkBudgets budgets, string partition, long limit, TimeProvider clock)
    {
        private int charged;

        public Task OnStarting()
        {
            if (Once() is { } state)
                RateLimits.WriteHeaders(context.Response, state, clock.GetUtcNow());
            return Task.CompletedTask;
        }

        public BudgetState? Once()
        {
            if (Interlocked.Exchange(ref charged, 1) == 1)
                return null;
            // The first unit was taken when the request was admitted.
            var units = context.RequestServices.GetService<WorkMeter>()?.Units ?? 1;
            return budgets.Charge(partition, limit, units - 1);
        }
    }
}
