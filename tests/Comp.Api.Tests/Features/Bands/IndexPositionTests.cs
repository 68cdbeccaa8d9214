using Comp.Api.Data;
using Comp.Api.Features.Bands.Index;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// When a read must catch up: only when a transaction has ended since the index's snapshot.
/// PostgreSQL's snapshot xmax is one past the last transaction to end, so a transaction still in
/// flight (a COPY, an uncommitted write) moves neither xmax nor the list of running ones.
/// </summary>
public sealed class IndexPositionTests
{
    // The index reflects snapshot 100:105:101,103 — transactions 101 and 103 were running.
    private static readonly IndexPosition Position = new(100, 105, new HashSet<ulong> { 101, 103 }, Epoch: 0, Version: "7", Generation: 1);

    [Theory]
    [InlineData("100:105:101,103", true)]      // nothing has ended since (a COPY given id 105 and still running changes nothing)
    [InlineData("100:106:101,103", false)]     // 105 has ended: it may have committed
    [InlineData("100:107:101,103,105", false)] // 106 has ended, though 105 (a COPY) still runs
    [InlineData("102:105:103", false)]         // 101, running at the index's snapshot, has ended
    [InlineData("99:103:99,101", true)]        // an older snapshot (taken before 102 ended) shows nothing the index lacks
    public void A_read_catches_up_only_when_a_transaction_has_ended_since_the_index_snapshot(string now, bool covered) =>
        Assert.Equal(covered, Position.Covers(Snapshot.Parse(now)));
}
