using System.Diagnostics;
using System.Net;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// What a read waits for (Data/LocalWrites.cs): a batch is in the band index of the instance that
/// took it when its answer arrives, and transactions that write nothing the index reads (key
/// lease renewals) make no read wait for a catch-up. Anything else still does.
/// </summary>
public sealed class LocalWritesTests(CompApiFactory factory) : ApiTest(factory)
{
    private static Snapshot At(ulong xmin, ulong xmax, params ulong[] xip) => new(xmin, xmax, xip.ToHashSet());

    [Fact]
    public void A_snapshot_is_explained_only_by_this_processs_ignorable_and_pending_transactions()
    {
        var writes = new LocalWrites();
        // The index covers xmax 10 with 8 running; since then 10 and 12 ended, 11 runs.
        var later = At(9, 13, 11);
        Assert.False(writes.Explains(10, new HashSet<ulong> { 8 }, later));
        writes.Ignore(10);
        var pending = writes.Begin(12);
        Assert.False(writes.Explains(10, new HashSet<ulong> { 8 }, later)); // 8 ended: unknown
        Assert.True(writes.Explains(10, new HashSet<ulong> { 8 }, At(8, 13, 8, 11)));
        writes.Ignore(8);
        Assert.True(writes.Explains(10, new HashSet<ulong> { 8 }, later));
        Assert.False(writes.Explains(10, new HashSet<ulong> { 8 }, At(9, 14, 11))); // 13 ended: unknown

        // Acknowledged: a read that begins now waits for it.
        pending.Dispose();
        Assert.False(writes.Explains(10, new HashSet<ulong> { 8 }, later));
        // Ignorable transactions below a covered xmin are dropped; a pending one is its writer's to drop.
        using var again = writes.Begin(5);
        writes.Forget(11);
        Assert.False(writes.Explains(10, new HashSet<ulong>(), At(10, 11)));
        Assert.True(writes.Explains(4, new HashSet<ulong>(), At(4, 6, 4)));
        // Too far behind to look through: wait.
        writes.Ignore(10);
        Assert.False(writes.Explains(10, new HashSet<ulong>(), At(10, 11 + LocalWrites.MaxExplained)));
    }

    [Fact]
    public async Task A_batch_is_in_the_band_index_of_its_instance_when_it_is_answered_and_a_read_then_waits_for_nothing()
    {
        var index = Factory.Services.GetRequiredService<BandIndex>();
        var ingest = await Factory.IngestClientAsync("local writes");
        var before = index.Datapoints;
        var rows = Enumerable.Range(0, 40).Select(i => Infrastructure.Datapoints.Valid("local-writes-co", "ml-engineer", "us-wa", 100_000m + 1_000m * i, "USD", "2024-03-01")).ToList();
        await ingest.PlantAsync(rows);
        // No read yet: the writer made the index current before answering.
        Assert.Equal(before + 40, index.Datapoints);

        var waited = index.RequestCatchUps;
        var cell = (await JsonAsync(await Factory.CreateExactClient().GetAsync("/v1/bands?employer=local-writes-co&component=base&percentiles=50"))).GetProperty("cells")[0];
        Assert.Equal(40, cell.GetProperty("n").GetInt32());
        Assert.Equal(119_500m, cell.GetProperty("percentiles").GetProperty("p50").GetDecimal());
        Assert.Equal(waited, index.RequestCatchUps);
    }

    [Fact]
    public async Task Key_lease_renewals_move_the_snapshot_but_make_no_read_wait_for_a_catch_up()
    {
        // Renewed every 50 ms: each read below finds about two transactions ended since the last.
        await using var instance = Factory.WithWebHostBuilder(b => b.UseSetting("Auth:KeyLeaseMilliseconds", "200"));
        var index = instance.Services.GetRequiredService<BandIndex>();
        await index.WhenLoaded.WaitAsync(TimeSpan.FromSeconds(30));
        var lease = instance.Services.GetRequiredService<ApiKeyLease>();
        var holding = Stopwatch.StartNew();
        while (!lease.Holds && holding.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        Assert.True(lease.Holds, "no key lease within 20 s");

        var client = instance.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/bands?role=ml-engineer")).StatusCode);
        var xmax = Snapshot.Parse(await Factory.ScalarAsync<string>("SELECT pg_current_snapshot()::text")).Xmax;
        var waited = index.RequestCatchUps;
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/bands?role=ml-engineer")).StatusCode);
        }
        var moved = Snapshot.Parse(await Factory.ScalarAsync<string>("SELECT pg_current_snapshot()::text")).Xmax - xmax;
        Assert.True(moved >= 10, $"the snapshot moved by {moved} transactions in a second of renewals");
        // Without LocalWrites nearly every read would catch up. One may still meet a transaction of
        // another kind (a rate budget sync noted just after its commit).
        Assert.True(index.RequestCatchUps - waited <= 2, $"{index.RequestCatchUps - waited} of 10 reads waited for a catch-up");
    }
}
