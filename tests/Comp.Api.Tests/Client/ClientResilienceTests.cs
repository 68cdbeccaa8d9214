using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Comp.Client;
using Polly.CircuitBreaker;

namespace Comp.Api.Tests.Client;

/// <summary>
/// The client's retry, timeout and circuit breaker against a scripted handler: no server and no
/// database, so these do not derive from ApiTest.
/// </summary>
public sealed class ClientResilienceTests
{
    private static CompClientOptions Options(TimeSpan? maxDelay = null) => new()
    {
        ApiKey = "test-key",
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(5),
    };

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task Retry_After_in_seconds_is_waited_out_before_the_next_attempt(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(Answer(status, retryAfter: new(TimeSpan.FromSeconds(1))), Answer(HttpStatusCode.OK, "[]"));

        var levels = await ClientKit.Create(handler, Options()).GetLevelsAsync();

        Assert.Empty(levels);
        Assert.Equal(2, handler.Attempts.Count);
        Assert.True(handler.Gap(1) >= TimeSpan.FromSeconds(0.9), $"The retry came after {handler.Gap(1).TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task Retry_After_as_an_http_date_is_waited_out_too()
    {
        // HTTP dates have whole seconds: two seconds ahead is at least one second away.
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.ServiceUnavailable, retryAfter: new(DateTimeOffset.UtcNow.AddSeconds(2))),
            Answer(HttpStatusCode.OK, "[]"));

        await ClientKit.Create(handler, Options()).GetLevelsAsync();

        Assert.True(handler.Gap(1) >= TimeSpan.FromSeconds(0.9), $"The retry came after {handler.Gap(1).TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task Retry_After_beyond_the_max_delay_is_cut_to_the_max_delay()
    {
        var handler = new ScriptedHandler(Answer(HttpStatusCode.TooManyRequests, retryAfter: new(TimeSpan.FromSeconds(60))), Answer(HttpStatusCode.OK, "[]"));

        await ClientKit.Create(handler, Options(maxDelay: TimeSpan.FromMilliseconds(200))).GetLevelsAsync();

        Assert.InRange(handler.Gap(1), TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_bad_request_is_not_retried_and_throws_with_the_field_errors()
    {
        var handler = new ScriptedHandler(Answer(HttpStatusCode.BadRequest,
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is not valid.","status":400,"errors":{"role":["Unknown role 'astronaut'."]}}"""));

        var error = await Assert.ThrowsAsync<CompApiException>(() => ClientKit.Create(handler, Options()).PostDatapointAsync(new DatapointRequest { Role = "astronaut" }));

        Assert.Single(handler.Attempts);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The request is not valid.", error.Title);
        Assert.Equal(["Unknown role 'astronaut'."], error.Errors["role"]);
        Assert.Empty(error.Rejected);
    }

    [Fact]
    public async Task Every_attempt_of_one_call_sends_the_same_body_and_Idempotency_Key()
    {
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.ServiceUnavailable),
            Answer(HttpStatusCode.BadGateway),
            Answer(HttpStatusCode.OK, """{"batchId":"0195c2b4-7f4e-7d2a-9c1e-3b5f7a9d2c10","accepted":3,"rejected":[]}"""));

        var result = await ClientKit.Create(handler, Options()).PostBatchAsync(ClientKit.Rows(3));

        Assert.Equal(3, result.Accepted);
        Assert.Equal(3, handler.Attempts.Count);
        Assert.Single(handler.Attempts.Select(a => a.IdempotencyKey).Distinct());
        Assert.True(Guid.TryParse(handler.Attempts[0].IdempotencyKey, out _));
        Assert.Single(handler.Attempts.Select(a => a.Body).Distinct());
        Assert.StartsWith("[{\"employer\":\"employer-0\"", handler.Attempts[0].Body);
        Assert.All(handler.Attempts, a => Assert.Equal("test-key", a.ApiKey));
    }

    [Fact]
    public async Task Each_call_gets_its_own_Idempotency_Key()
    {
        var handler = new ScriptedHandler(Answer(HttpStatusCode.OK, """{"batchId":"0195c2b4-7f4e-7d2a-9c1e-3b5f7a9d2c10","accepted":1,"rejected":[]}"""));
        var client = ClientKit.Create(handler, Options());

        await client.PostBatchAsync(ClientKit.Rows(1));
        await client.PostBatchAsync(ClientKit.Rows(1));

        Assert.Equal(2, handler.Attempts.Select(a => a.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task A_hung_attempt_is_abandoned_after_the_attempt_timeout_and_retried()
    {
        var handler = new ScriptedHandler(
            async ct => { await Task.Delay(Timeout.Infinite, ct); return null!; },
            Answer(HttpStatusCode.OK, "[]"));
        var options = Options();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);

        await ClientKit.Create(handler, options).GetLevelsAsync();

        Assert.Equal(2, handler.Attempts.Count);
        Assert.True(handler.Gap(1) >= TimeSpan.FromMilliseconds(180), $"The retry came after {handler.Gap(1).TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task A_create_without_an_Idempotency_Key_is_not_sent_again_after_a_dropped_connection()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("Connection reset by peer (injected)."));

        await Assert.ThrowsAsync<HttpRequestException>(() => ClientKit.Create(handler, Options()).CreateEmployerAsync("acme", "Acme"));

        Assert.Single(handler.Attempts);
    }

    [Fact]
    public async Task After_consecutive_503s_the_circuit_opens_and_calls_fail_fast_without_a_request()
    {
        var handler = new ScriptedHandler(Answer(HttpStatusCode.ServiceUnavailable));
        var options = Options();
        options.MaxRetries = 9;
        options.BreakerMinimumThroughput = 4;
        var client = ClientKit.Create(handler, options);

        // The fourth 503 opens the circuit: the retry's fifth attempt is refused by the breaker, not sent.
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetLevelsAsync());
        Assert.Equal(4, handler.Attempts.Count);

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetLevelsAsync());
        Assert.Equal(4, handler.Attempts.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Failing fast took {clock.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task A_band_query_becomes_an_escaped_query_string_of_the_set_parameters_only()
    {
        var query = new BandQuery
        {
            Employer = "a&b c",
            Role = "ml-engineer,research-scientist",
            From = new DateOnly(2024, 1, 1),
            Verified = true,
            Percentiles = "5,50,95",
            AgedTo = new DateOnly(2025, 1, 1),
            GroupBy = "employer,level",
            Weighting = "company",
        };

        Assert.Equal(
            "employer=a%26b%20c&role=ml-engineer%2Cresearch-scientist&from=2024-01-01&verified=true&percentiles=5%2C50%2C95&agedTo=2025-01-01&groupBy=employer%2Clevel&weighting=company",
            query.ToQueryString());
        Assert.Equal("region=us-ca&verified=false", new BandFilter { Region = "us-ca", Verified = false }.ToQueryString());
        Assert.Equal("", new BandQuery().ToQueryString());

        var handler = new ScriptedHandler(Answer(HttpStatusCode.OK,
            """{"amount":1,"component":"total","currency":"USD","agedTo":null,"datasetVersion":"v","methodology":"m","percentileRank":null,"bound":null,"cell":{"group":{},"n":null,"employers":null,"suppressed":true,"reasons":["too_few_datapoints"],"percentiles":null},"conversion":{"ratesUsed":[],"leftOut":[]}}"""));
        var position = await ClientKit.Create(handler, Options()).GetPositionAsync(250_000.5m, new BandQuery { Role = "ml-engineer" });
        Assert.Equal("/v1/bands/position?amount=250000.5&role=ml-engineer", handler.Attempts[0].PathAndQuery);
        Assert.Equal(["too_few_datapoints"], position.Cell.Reasons);
    }

    private static Func<CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string body = "", RetryConditionHeaderValue? retryAfter = null) =>
        _ => Task.FromResult(new HttpResponseMessage(status)
        {
            Headers = { RetryAfter = retryAfter },
            Content = new StringContent(body, Encoding.UTF8, (int)status < 400 ? "application/json" : "application/problem+json"),
        });

    /// <summary>Answers attempt n with script[n] (the last entry repeats) and notes what each attempt sent, and when.</summary>
    private sealed class ScriptedHandler(params Func<CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
    {
        private readonly long start = Stopwatch.GetTimestamp();

        public List<Attempt> Attempts { get; } = [];

        /// <summary>The time between attempt n - 1 and attempt n.</summary>
        public TimeSpan Gap(int n) => Attempts[n].At - Attempts[n - 1].At;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Attempts.Add(new Attempt(
                Stopwatch.GetElapsedTime(start),
                request.RequestUri!.PathAndQuery,
                request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
                request.Headers.TryGetValues("X-Api-Key", out var apiKeys) ? apiKeys.Single() : null,
                request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return await script[Math.Min(Attempts.Count, script.Length) - 1](cancellationToken);
        }
    }

    private sealed record Attempt(TimeSpan At, string PathAndQuery, string? IdempotencyKey, string? ApiKey, string? Body);
}
