using System.Net;
using System.Text.Json;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// A write still in flight neither shows in a band nor holds the band up; once it commits, the
/// next band shows it (the index's freshness check, <see cref="IndexPosition.Covers"/>).
/// </summary>
public sealed class InFlightWriteTests(CompApiFactory factory) : ApiTest(factory)
{
    private async Task<decimal> MedianAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/bands?employer=pending&component=base&percentiles=50");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("memory", response.Headers.GetValues("X-Comp-Read-From").Single());
        return JsonDocument.Parse(text).RootElement.GetProperty("cells")[0].GetProperty("percentiles").GetProperty("p50").GetDecimal();
    }

    [Fact]
    public async Task A_write_in_flight_is_not_waited_for_and_shows_once_committed()
    {
        await Factory.Services.GetRequiredService<BandIndex>().WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        // Eleven salaries 100k … 110k: the median is 105k.
        await Factory.InsertAsync(Enumerable.Range(0, 11)
            .Select(i => new SeedRow("pending", "ml-engineer", "L4", "us-ca", "USD", new DateOnly(2024, 3, 1), 100_000m + 1_000m * i)).ToList());
        var client = Factory.CreateExactClient();
        Assert.Equal(105_000m, await MedianAsync(client));

        await using var writer = await Factory.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await new NpgsqlCommand("""
            UPDATE datapoints SET base_salary = 205000
            WHERE base_salary = 105000 AND employer_id = (SELECT id FROM employers WHERE slug = 'pending')
            """, writer, transaction).ExecuteNonQueryAsync();
        // In flight: the band answers at once, from what is committed.
        var answer = MedianAsync(client);
        Assert.True(await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(10))) == answer, "the band waited for a write in flight");
        Assert.Equal(105_000m, await answer);

        await transaction.CommitAsync();
        // Committed: 100k … 104k, 106k … 110k and 205k, so the next band's median is 106k.
        Assert.Equal(106_000m, await MedianAsync(client));
    }
}
