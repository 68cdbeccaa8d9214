using Comp.Api.Data;
using Comp.Api.Features.Bands.Index;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// When a read must catch up: only when a transaction that could have committed something has
/// ended since the index's snapshot. Transactions still running (a COPY in flight, a write not yet
/// committed) do not make a read wait; one that has ended does, whatever it was.
/// </summary>
public sealed class IndexPositionTests
{
    // The index reflects snapshot 100:105:101,103 — transactions 101 and 103 were running.
    private static readonly IndexPosition Position = new(100, 105, new HashSet<ulong> { 101, 103 }, Epoch: 0, Version: "7", Generation: 1);

    [Theory]
    [InlineData("100:105:101,103", true)]          // nothing has changed
    [InlineData("100:106:101,103,105", true)]      // 105 began since and is still running (a COPY in flight)
    [InlineData("100:108:101,103,105,106,107", true)] // three began since, all running
    [InlineData("100:106:101,103", false)]         // 105 began since and has ended: it may have committed
    [InlineData("100:108:101,103,105,107", false)] // of three that began since, 106 has ended
    [InlineData("102:105:103", false)]             // 101, running at the index's snapshot, has ended
    [InlineData("99:104:101", true)]               // an older snapshot than the index's shows nothing newer
    public void A_read_catches_up_only_when_a_transaction_has_ended_since_the_index_snapshot(string now, bool covered) =>
        Assert.Equal(covered, Position.Covers(Snapshot.Parse(now)));
}
