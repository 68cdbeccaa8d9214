namespace Comp.Client;

/// <summary>Settings of a <see cref="CompClient"/>: the key it sends and how hard it tries.</summary>
public sealed class CompClientOptions
{
    /// <summary>Sent as <c>X-Api-Key</c> when set; without it only anonymous read routes answer.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries after the first attempt (0 turns retrying off).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff delay; it doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts, also for a server's <c>Retry-After</c>.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A bound on a whole call, every attempt and wait included; none by default.</summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>The circuit opens when at least this share of attempts in the sampling window failed…</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>…and the window held at least this many attempts (at least 2).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which failures are counted.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls fast before it lets one through to test the server.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Send batches as <c>application/x-ndjson</c> (one object per line) instead of a JSON array.</summary>
    public bool NdjsonBatches { get; set; }

    /// <summary>The clock of backoff, timeouts, the circuit breaker and <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
