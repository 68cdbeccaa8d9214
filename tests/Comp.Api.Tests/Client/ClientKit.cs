using Comp.Api.Tests.Infrastructure;
using Comp.Client;

namespace Comp.Api.Tests.Client;

/// <summary>Clients for the client tests: a <see cref="CompClient"/> over the test server, optionally behind a faulty network.</summary>
public static class ClientKit
{
    /// <summary>Short waits so that retries cost milliseconds; a server's Retry-After is still honoured, up to 2 s.</summary>
    public static CompClientOptions Fast(string? apiKey = CompApiFactory.AdminKey) => new()
    {
        ApiKey = apiKey,
        BaseDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromSeconds(2),
    };

    public static CompClient Create(CompApiFactory factory, CompClientOptions? options = null, DelegatingHandler? network = null)
    {
        HttpMessageHandler handler = factory.Server.CreateHandler();
        if (network is not null)
        {
            network.InnerHandler = handler;
            handler = network;
        }
        return new CompClient(new HttpClient(handler) { BaseAddress = new Uri("http://localhost") }, options ?? Fast());
    }

    /// <summary>A client over a scripted handler: no server at all.</summary>
    public static CompClient Create(HttpMessageHandler handler, CompClientOptions options) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://localhost") }, options);

    /// <summary>Valid datapoints with base salaries 100,000, 100,001, … at ten employers.</summary>
    public static List<DatapointRequest> Rows(int count) =>
        Enumerable.Range(0, count).Select(i => new DatapointRequest
        {
            Employer = $"employer-{i % 10}",
            Role = "ml-engineer",
            Level = "L4",
            Region = "us-ca-sf-bay-area",
            Currency = "USD",
            EffectiveDate = new DateOnly(2024, 3, 1),
            BaseSalary = 100_000m + i,
            Source = "self_reported",
        }).ToList();
}
