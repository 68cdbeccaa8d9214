using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Comp.Api.Auth;

public sealed class RateLimitOptions
{
    /// <summary>Requests per minute for each client IP without a key.</summary>
    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>Requests per minute for each non-admin API key.</summary>
    public int KeyPerMinute { get; set; } = 6000;
}

public static class RateLimits
{
    /// <summary>
    /// One fixed one-minute window per key (admin keys unlimited) and per anonymous client IP;
    /// the health probes are never limited. A refusal is a 429 problem with Retry-After.
    /// </summary>
    public static IServiceCollection AddCompRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection("RateLimits"));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Request.Path.StartsWithSegments("/health"))
                    return RateLimitPartition.GetNoLimiter("health");
                var limits = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
                var user = context.User;
                if (user.Identity?.IsAuthenticated == true)
                {
                    if (user.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.Admin))
                        return RateLimitPartition.GetNoLimiter("admin");
                    return Window("key:" + user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim), limits.KeyPerMinute);
                }
                return Window("ip:" + context.Connection.RemoteIpAddress, limits.AnonymousPerMinute);
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
                var http = rejected.HttpContext;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = $"The rate limit is reached; retry after {retryAfter} s.",
                    },
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Window(string partition, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, perMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
