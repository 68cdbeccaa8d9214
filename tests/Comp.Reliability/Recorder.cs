using System.Collections.Concurrent;
using System.Diagnostics;
using Comp.Client;

namespace Comp.Reliability;

/// <summary>
/// One HTTP attempt as it left and came back, below the client's retries: a retried call shows
/// every attempt, so a fault the retries hid is still counted.
/// </summary>
/// <param name="Status">The status code, or 0 when the attempt failed without an answer.</param>
/// <param name="Error">The exception type of a failed attempt (connection refused, reset, timeout…).</param>
public sealed record Attempt(string Client, string Kind, string? IdempotencyKey, int Status, string? Error, double Ms, bool RetryAfter, DateTimeOffset Start);

/// <summary>Hands out HTTP clients whose every attempt is recorded.</summary>
public sealed class Recorder(string baseUrl)
{
    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    /// <summary>An HttpClient of its own (own connection pool), named for the attempt log.</summary>
    public HttpClient Http(string client) =>
        new(new RecordingHandler(this, client)
        {
            InnerHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        })
        {
            BaseAddress = new Uri(baseUrl),
            // Bounded per attempt by the client's pipeline or the caller's token instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public CompClient Client(string client, CompClientOptions options) => new(Http(client), options);

    public IEnumerable<Attempt> Of(string client) => Attempts.Where(a => a.Client == client);

    /// <summary>The route an attempt went to, as a short name.</summary>
    public static string KindOf(HttpRequestMessage request)
    {
        var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
        return path switch
        {
            "/v1/datapoints/batch" => "batch",
            "/v1/datapoints" when request.Method == HttpMethod.Post => "write",
            "/v1/bands/compare" => "compare",
            "/v1/bands/position" => "position",
            "/v1/bands/trend" => "trend",
            "/v1/bands" => "bands",
            "/health/ready" => "ready",
            "/health/live" => "live",
            _ => path,
        };
    }

    private sealed class RecordingHandler(Recorder recorder, string client) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var kind = KindOf(request);
            var key = request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.FirstOrDefault() : null;
            var start = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                recorder.Attempts.Enqueue(new Attempt(client, kind, key, (int)response.StatusCode, null, watch.Elapsed.TotalMilliseconds,
                    response.Headers.RetryAfter is not null, start));
                return response;
            }
            catch (Exception ex)
            {
                recorder.Attempts.Enqueue(new Attempt(client, kind, key, 0, Describe(ex), watch.Elapsed.TotalMilliseconds, false, start));
                throw;
            }
        }

        private static string Describe(Exception ex) =>
            ex is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown } ? $"{nameof(HttpRequestException)}({error})" : ex.GetType().Name;
    }
}
