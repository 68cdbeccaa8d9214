using System.Net.Http.Json;
using System.Text.Json;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// Band queries go to the read replica (<c>ConnectionStrings:CompRead</c>) once it has replayed
/// the primary's latest write; while it lags, they are answered by the primary, so an answer is
/// never older than a write that came before it. Runs on the loopback primary/standby pair that
/// deploy/local/test.sh starts, or on a standby inside the Testcontainers server (both
/// pg_basebackup -R).
/// </summary>
public sealed class ReadReplicaTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Bands_are_read_from_the_replica_and_from_the_primary_while_it_lags()
    {
        var replica = new NpgsqlConnectionStringBuilder(await Factory.StandbyServerAsync()) { Database = new NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database }.ConnectionString;
        await using var standby = new NpgsqlConnection(replica);
        await WaitForAsync(async () => { try { await standby.OpenAsync(); return true; } catch (PostgresException) { return false; } });
        await using var app = Factory.WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:CompRead", replica)
            .UseSetting("BandIndex:Enabled", "false")); // the index reads the primary only
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", CompApiFactory.AdminKey);
        var reader = app.CreateExactClient();

        async Task Post(int count, int from)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/datapoints/batch")
            {
                Content = JsonContent.Create(Enumerable.Range(from, count).Select(i => Infrastructure.Datapoints.Valid(baseSalary: 100_000 + 1_000 * i)).ToArray()),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await admin.SendAsync(request)).EnsureSuccessStatusCode();
        }
        async Task<(string From, int N)> Band()
        {
            var response = await reader.GetAsync("/v1/bands?employer=acme&component=base");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            var cell = JsonDocument.Parse(text).RootElement.GetProperty("cells")[0];
            return (response.Headers.GetValues("X-Comp-Read-From").Single(), cell.GetProperty("n").GetInt32());
        }

        await Post(10, 0);
        Assert.Equal(("replica", 10), await Band());

        await using (var pause = new NpgsqlCommand("SELECT pg_wal_replay_pause()", standby))
            await pause.ExecuteNonQueryAsync();
        try
        {
            await Post(5, 10);
            // The replica has not replayed the write: the primary answers, with the new rows.
            Assert.Equal(("primary", 15), await Band());
        }
        finally
        {
            await using var resume = new NpgsqlCommand("SELECT pg_wal_replay_resume()", standby);
            await resume.ExecuteNonQueryAsync();
        }
        await WaitForAsync(async () => (await Band()).From == "replica");
        Assert.Equal(("replica", 15), await Band());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
                return;
            await Task.Delay(50);
        }
        Assert.Fail("The standby did not catch up within 5 s.");
    }
}
