using System.Net;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Comp.Client;

namespace Comp.Api.Tests.Client;

/// <summary>
/// Batches through a network that fails on purpose: whatever goes wrong between client and
/// server, a batch the client reports as stored is stored exactly once.
/// </summary>
public sealed class BatchResilienceTests(CompApiFactory factory) : ApiTest(factory)
{
    public enum Fault
    {
        /// <summary>503 + Retry-After: 1 before the request reaches the server: nothing stored.</summary>
        UnavailableBeforeTheServer,
        /// <summary>429 + Retry-After: 1 before the request reaches the server: nothing stored.</summary>
        RateLimitedBeforeTheServer,
        /// <summary>The server stores the batch, then the connection is reset before the answer arrives.</summary>
        ConnectionResetAfterStoring,
        /// <summary>The server stores the batch, then reading the answer fails with an I/O error.</summary>
        StreamBrokenAfterStoring,
    }

    private Task<long> CountAsync() => Factory.ScalarAsync<long>("SELECT count(*) FROM datapoints");

    [Theory]
    [InlineData(Fault.UnavailableBeforeTheServer)]
    [InlineData(Fault.RateLimitedBeforeTheServer)]
    [InlineData(Fault.ConnectionResetAfterStoring)]
    [InlineData(Fault.StreamBrokenAfterStoring)]
    public async Task A_batch_retried_through_a_failing_network_is_stored_exactly_once(Fault fault)
    {
        var network = new FlakyNetwork(fault, failures: 2);

        var result = await ClientKit.Create(Factory, network: network).PostBatchAsync(ClientKit.Rows(500));

        Assert.Equal(500, result.Accepted);
        Assert.Empty(result.Rejected);
        Assert.Equal(3, network.BatchKeys.Count);
        var key = Assert.Single(network.BatchKeys.Distinct());
        Assert.False(string.IsNullOrEmpty(key));
        Assert.Equal(500L, await CountAsync());
        Assert.Equal(500L, await Factory.ScalarAsync<long>($"SELECT count(*) FROM datapoints WHERE batch_id = '{result.BatchId}'"));
        if (fault is Fault.ConnectionResetAfterStoring or Fault.StreamBrokenAfterStoring)
        {
            // The first attempt stored the batch; every later one was answered from its idempotency record.
            Assert.Equal([result.BatchId, result.BatchId], network.LostBatchIds);
            Assert.True(network.LastAnswerReplayed);
        }
        else
        {
            Assert.Empty(network.LostBatchIds);
            Assert.False(network.LastAnswerReplayed);
        }
    }

    [Fact]
    public async Task A_batch_with_bad_rows_throws_listing_each_line_and_stores_nothing()
    {
        var rows = ClientKit.Rows(5);
        rows[1] = rows[1] with { Role = "astronaut" };
        rows[3] = rows[3] with { BaseSalary = null };
        var network = new FlakyNetwork(Fault.UnavailableBeforeTheServer, failures: 0);

        var error = await Assert.ThrowsAsync<CompApiException>(() => ClientKit.Create(Factory, network: network).PostBatchAsync(rows));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal([2, 4], error.Rejected.Select(r => r.Line));
        Assert.True(error.Rejected[0].Errors.ContainsKey("role"));
        Assert.True(error.Rejected[1].Errors.ContainsKey("baseSalary"));
        Assert.Single(network.BatchKeys);
        Assert.Equal(0L, await CountAsync());
    }

    [Fact]
    public async Task With_allowPartial_the_good_rows_are_stored_and_the_bad_ones_returned()
    {
        var rows = ClientKit.Rows(5);
        rows[2] = rows[2] with { Currency = "XYZ" };

        var result = await ClientKit.Create(Factory).PostBatchAsync(rows, allowPartial: true);

        Assert.Equal(4, result.Accepted);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(3, rejected.Line);
        Assert.True(rejected.Errors.ContainsKey("currency"));
        Assert.Equal(4L, await CountAsync());
    }

    [Fact]
    public async Task A_batch_sent_as_ndjson_is_stored_like_a_json_array()
    {
        var options = ClientKit.Fast();
        options.NdjsonBatches = true;

        var result = await ClientKit.Create(Factory, options).PostBatchAsync(ClientKit.Rows(300));

        Assert.Equal(300, result.Accepted);
        Assert.Equal(300L, await CountAsync());
        Assert.Equal(100_000m * 300 + 299 * 300 / 2, await Factory.ScalarAsync<decimal>("SELECT sum(base_salary) FROM datapoints"));
    }

    [Fact]
    public async Task Reusing_a_key_for_another_batch_is_a_conflict_that_is_not_retried()
    {
        var network = new FlakyNetwork(Fault.UnavailableBeforeTheServer, failures: 0);
        var client = ClientKit.Create(Factory, network: network);
        await client.PostBatchAsync(ClientKit.Rows(10), idempotencyKey: "client-batch-1");

        var conflict = await Assert.ThrowsAsync<CompApiException>(() => client.PostBatchAsync(ClientKit.Rows(11), idempotencyKey: "client-batch-1"));

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(2, network.BatchKeys.Count);
        Assert.Equal(10L, await CountAsync());
    }

    /// <summary>
    /// Fails the first <paramref name="failures"/> attempts of the batch route the way a network or a
    /// proxy would, and notes every batch attempt's Idempotency-Key. Other routes pass untouched.
    /// </summary>
    private sealed class FlakyNetwork(Fault fault, int failures) : DelegatingHandler
    {
        public List<string?> BatchKeys { get; } = [];

        /// <summary>The batch ids of answers the server sent and the client never received.</summary>
        public List<Guid> LostBatchIds { get; } = [];

        public bool LastAnswerReplayed { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath != "/v1/datapoints/batch")
                return await base.SendAsync(request, cancellationToken);

            BatchKeys.Add(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null);
            if (BatchKeys.Count > failures)
            {
                var response = await base.SendAsync(request, cancellationToken);
                LastAnswerReplayed = response.Headers.Contains("Idempotent-Replayed");
                return response;
            }

            switch (fault)
            {
                case Fault.UnavailableBeforeTheServer:
                    return Refusal(HttpStatusCode.ServiceUnavailable);
                case Fault.RateLimitedBeforeTheServer:
                    return Refusal(HttpStatusCode.TooManyRequests);
                default:
                    using (var stored = await base.SendAsync(request, cancellationToken))
                    {
                        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
                        var body = JsonDocument.Parse(await stored.Content.ReadAsStringAsync(cancellationToken));
                        LostBatchIds.Add(body.RootElement.GetProperty("batchId").GetGuid());
                    }
                    throw fault == Fault.ConnectionResetAfterStoring
                        ? new HttpRequestException("Connection reset by peer (injected).", new IOException("Connection reset by peer"))
                        : new IOException("Unable to read data from the transport connection (injected).");
            }
        }

        private static HttpResponseMessage Refusal(HttpStatusCode status) => new(status)
        {
            Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1)) },
            Content = new StringContent("""{"title":"Try again later."}""", System.Text.Encoding.UTF8, "application/problem+json"),
        };
    }
}
