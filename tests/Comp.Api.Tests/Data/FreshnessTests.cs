using Comp.Api.Data;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comp.Api.Tests.Data;

/// <summary>
/// The freshness check's round trip is single-flight: callers that ask while a query is in flight
/// share the next one, and every caller's answer comes from a query that started after it asked.
/// The first query is held on a lock (it reads api_keys_version), so what is in flight is certain.
/// </summary>
public sealed class FreshnessTests(CompApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Callers_during_a_query_share_the_next_one_which_shows_every_write_committed_before_they_asked()
    {
        var watch = Factory.Services.GetRequiredService<PrimaryWatch>();
        await using var holder = await Factory.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE api_keys_version IN ACCESS EXCLUSIVE MODE", holder, hold).ExecuteNonQueryAsync();

        var queries = watch.Queries;
        var first = watch.ReadAsync(CancellationToken.None);
        await WaitUntilAsync(() => watch.Queries == queries + 1);

        // A write that commits after the first query started, before the others ask.
        ulong written;
        await using (var writer = await Factory.OpenAsync())
        {
            await using var transaction = await writer.BeginTransactionAsync();
            written = (ulong)(long)(await new NpgsqlCommand("SELECT pg_current_xact_id()::text::bigint", writer, transaction).ExecuteScalarAsync())!;
            await new NpgsqlCommand("UPDATE band_index_epoch SET epoch = epoch", writer, transaction).ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        var later = Enumerable.Range(0, 50).Select(_ => watch.ReadAsync(CancellationToken.None)).ToList();
        await Task.Delay(200);
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(later, t => t.IsCompleted);
        Assert.Equal(queries + 1, watch.Queries);

        await hold.RollbackAsync();
        await first;
        var states = await Task.WhenAll(later);
        // Fifty callers, one round trip between them.
        Assert.Equal(queries + 2, watch.Queries);
        Assert.All(states, s => Assert.Same(states[0], s));
        Assert.True(states[0].Snapshot.Xmax > written && !states[0].Snapshot.Xip.Contains(written),
            $"the write {written} is committed in the shared snapshot {states[0].Snapshot}");
    }

    [Fact]
    public async Task A_caller_alone_pays_one_round_trip_and_the_key_table_version_comes_with_the_snapshot()
    {
        var watch = Factory.Services.GetRequiredService<PrimaryWatch>();
        var queries = watch.Queries;
        var state = await watch.ReadAsync(CancellationToken.None);
        Assert.Equal(queries + 1, watch.Queries);
        Assert.Equal(await Factory.ScalarAsync<string>("SELECT changed_by::text FROM api_keys_version"), state.KeysVersion);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition());
    }
}
