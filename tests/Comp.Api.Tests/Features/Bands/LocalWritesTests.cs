using System.Diagnostics;
using System.Net;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
        // Without LocalWrites nearly every read would catch up. One may still meet a transaction
        // nobody in this process knows (an autovacuum's analyze of a table another test filled).
        Assert.True(index.RequestCatchUps - waited <= 2, $"{index.RequestCatchUps - waited} of 10 reads waited for a catch-up");
    }

    [Fact]
    public async Task A_rate_budget_sync_is_known_as_ignorable_before_it_commits()
    {
        // Synced by hand only, so the one sync below is the only one.
        await using var instance = Factory.WithWebHostBuilder(b => b.UseSetting("RateLimits:SyncMilliseconds", "600000"));
        var budgets = instance.Services.GetRequiredService<WorkBudgets>();
        Assert.True((await budgets.AdmitAsync("ip:192.0.2.77", 600, CancellationToken.None)).Admitted);

        await KnownBeforeCommitAsync(instance.Services.GetRequiredService<LocalWrites>(), "rate_budgets",
            () => budgets.SyncAsync(CancellationToken.None));
        Assert.Equal(1L, await Factory.ScalarAsync<long>("SELECT used FROM rate_budgets WHERE partition = 'ip:192.0.2.77'"));
    }

    [Fact]
    public async Task A_keys_last_use_written_in_the_background_is_known_as_ignorable_before_it_commits()
    {
        await using var instance = Factory.WithWebHostBuilder(_ => { });
        var usage = instance.Services.GetRequiredService<ApiKeyUsage>();
        var id = await Factory.ScalarAsync<Guid>("SELECT id FROM api_keys ORDER BY created_at LIMIT 1");
        var at = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        usage.Record(id, at);

        await KnownBeforeCommitAsync(instance.Services.GetRequiredService<LocalWrites>(), "api_keys", () => usage.FlushAsync(CancellationToken.None));
        Assert.Equal(at.UtcDateTime, await Factory.ScalarAsync<DateTime>($"SELECT last_used_at FROM api_keys WHERE id = '{id}'"));
    }

    /// <summary>
    /// Runs <paramref name="write"/> while <paramref name="table"/> is locked against it, and asserts that
    /// while it waits, its transaction already has an id that <paramref name="writes"/> explains: a read
    /// whose snapshot shows it ended cannot have come before this process knew it. Noted only once the
    /// commit's answer arrived, reads in between found a transaction they could not explain and waited for
    /// a catch-up: at ten syncs a second, whole bursts of them.
    /// </summary>
    private async Task KnownBeforeCommitAsync(LocalWrites writes, string table, Func<Task> write)
    {
        await using var blocker = await Factory.OpenAsync();
        await using var locked = await blocker.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {table} IN SHARE MODE", blocker, locked))
            await command.ExecuteNonQueryAsync();
        var writing = write();

        string? xid = null;
        for (var waited = Stopwatch.StartNew(); xid is null && waited.Elapsed < TimeSpan.FromSeconds(10);)
        {
            await Task.Delay(20);
            xid = await Factory.ScalarAsync<object>(
                $"SELECT backend_xid::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%{table}%'") as string;
        }
        Assert.False(writing.IsCompleted, "the write did not wait for the lock");
        Assert.True(xid is not null, $"the write waited for {table} without a transaction id");
        // A fresh test cluster: the 32-bit id is the full one (epoch 0).
        var id = ulong.Parse(xid);
        Assert.True(writes.Explains(id, new HashSet<ulong>(), At(id + 1, id + 1)), $"transaction {id} is not known while it waits to write {table}");

        await locked.RollbackAsync();
        await writing.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
