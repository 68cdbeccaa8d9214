using System.Net;
using System.Text.Json;
using Comp.Client;
using Comp.Import.Sending;

namespace Comp.Import.Tests.Importing;

/// <summary>The batch request as the API sees it, through the real client over a stub handler.</summary>
public sealed class ApiSinkTests
{
    private sealed class StubHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request, await request.Content!.ReadAsStringAsync(cancellationToken)));
            var status = statuses[Math.Min(Requests.Count - 1, statuses.Length - 1)];
            return status == HttpStatusCode.OK
                ? new HttpResponseMessage(status)
                {
                    Content = new StringContent("""
                        {"batchId":"0b9ad2b6-51a4-4cf2-9d59-7c4b6c3c21d5","accepted":1,
                         "rejected":[{"line":2,"errors":{"role":["Unknown role 'chef'. The valid roles are listed at GET /v1/roles."]}}]}
                        """, System.Text.Encoding.UTF8, "application/json"),
                }
                : new HttpResponseMessage(status);
        }
    }

    private static readonly DatapointRequest[] Batch =
    [
        new() { Employer = "acme", Role = "software-engineer", Region = "us-ca", Currency = "USD", EffectiveDate = new DateOnly(2024, 1, 2), BaseSalary = 100000m, Source = "self_reported" },
        new() { Employer = "beta", Role = "chef", Region = "us-ny", Currency = "USD", EffectiveDate = new DateOnly(2024, 1, 2), BaseSalary = 50000m, Source = "self_reported" },
    ];

    private static ApiSink Sink(StubHandler handler) =>
        new(new CompClient(new HttpClient(handler) { BaseAddress = new Uri("http://api.test/") },
            new CompClientOptions { ApiKey = "test-key", BaseDelay = TimeSpan.FromMilliseconds(1) }));

    [Fact]
    public async Task A_batch_is_posted_with_partial_acceptance_a_key_and_camel_case_rows()
    {
        var handler = new StubHandler(HttpStatusCode.OK);

        var result = await Sink(handler).SendAsync(Batch, CancellationToken.None);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://api.test/v1/datapoints/batch?allowPartial=true", request.RequestUri!.ToString());
        Assert.Equal("test-key", request.Headers.GetValues("X-Api-Key").Single());
        Assert.True(Guid.TryParse(request.Headers.GetValues("Idempotency-Key").Single(), out _));
        using var json = JsonDocument.Parse(body);
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal("acme", json.RootElement[0].GetProperty("employer").GetString());
        Assert.Equal(100000m, json.RootElement[0].GetProperty("baseSalary").GetDecimal());
        Assert.Equal("2024-01-02", json.RootElement[0].GetProperty("effectiveDate").GetString());

        Assert.Equal(1, result.Accepted);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(2, rejected.Line);
        Assert.Equal(["Unknown role 'chef'. The valid roles are listed at GET /v1/roles."], rejected.Errors["role"]);
    }

    [Fact]
    public async Task A_retried_batch_carries_the_same_idempotency_key_and_each_batch_a_new_one()
    {
        var handler = new StubHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var sink = Sink(handler);

        await sink.SendAsync(Batch, CancellationToken.None);
        await sink.SendAsync(Batch, CancellationToken.None);

        var keys = handler.Requests.Select(r => r.Request.Headers.GetValues("Idempotency-Key").Single()).ToList();
        Assert.Equal(3, keys.Count);
        Assert.Equal(keys[0], keys[1]);      // the retry of the first batch
        Assert.NotEqual(keys[1], keys[2]);   // the second batch
    }
}
