using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Comp.Client;

/// <summary>
/// The one resilience pipeline every call of a <see cref="CompClient"/> runs through, outermost
/// first: total timeout (optional) → retry → circuit breaker → per-attempt timeout → HTTP.
/// </summary>
internal static class CompResilience
{
    /// <summary>
    /// Set per call: whether the request may be sent again when an attempt's fate is unknown
    /// (a dropped connection, a 5xx). Reads, PUTs, DELETEs and POSTs that carry an
    /// <c>Idempotency-Key</c> may; a POST that creates without one may not (it could create twice).
    /// </summary>
    public static readonly ResiliencePropertyKey<bool> Replayable = new("Comp.Replayable");

    public static ResiliencePipeline<HttpResponseMessage> Build(CompClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };

        // Total timeout: bounds a call with all its attempts and waits, for callers that need an answer by a deadline.
        if (options.TotalTimeout is { } total)
            builder.AddTimeout(total);

        // Retry: networks drop connections, the database restarts, rate limits pass. Exponential backoff
        // with jitter so that clients that failed together do not come back together; a server's
        // Retry-After wins, because the server knows when it will be ready.
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.Properties.GetValue(Replayable, true))),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options)),
            });
        }

        // Circuit breaker, inside the retry so it counts every attempt: when most attempts fail, a server
        // in trouble gets a rest and callers get an immediate BrokenCircuitException instead of a
        // minute of retries. Only server failures count: a 429 or 409 comes from a healthy server.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome)),
        });

        // Per-attempt timeout, innermost: a hung connection costs one attempt, not the whole call.
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, bool replayable) => outcome switch
    {
        // Rejected before any work was done: safe to send again, whatever the request.
        { Result.StatusCode: HttpStatusCode.TooManyRequests } => true,
        // The same Idempotency-Key is still being worked on: ask again when told to.
        { Result: { StatusCode: HttpStatusCode.Conflict } response } => response.Headers.RetryAfter is not null,
        { Result: { } response } => replayable && (response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500),
        { Exception: { } exception } => replayable && IsTransient(exception),
        _ => false,
    };

    private static bool IsServerFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception ? IsTransient(exception) : (int)outcome.Result!.StatusCode >= 500;

    /// <summary>Failures of the connection or of time, not of the request: another attempt may succeed.</summary>
    private static bool IsTransient(Exception exception) =>
        exception is HttpRequestException or IOException or TimeoutRejectedException
            // HttpClient.Timeout, when it is shorter than the attempt timeout.
            or TaskCanceledException { InnerException: TimeoutException };

    /// <summary>The server's <c>Retry-After</c> (seconds or an HTTP date), capped; null lets the backoff decide.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, CompClientOptions options)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? header?.Date - options.TimeProvider.GetUtcNow();
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, options.MaxDelay.Ticks)) : null;
    }
}
