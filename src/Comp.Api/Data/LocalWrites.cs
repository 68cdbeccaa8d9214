using System.Collections.Concurrent;
using Npgsql;

namespace Comp.Api.Data;

/// <summary>
/// This process's own transactions, so a read does not wait for a catch-up it does not need. A
/// band read must include every write acknowledged before it began; the freshness check sees
/// transactions that ended, not which ones were acknowledged or what they wrote. Two kinds are known here:
/// <list type="bullet">
/// <item><b>Ignorable</b>: transactions that write nothing the band index reads (a key lease's
/// renewal, the rate budgets' sync, a key-use write). They move PostgreSQL's snapshot several times
/// a second, and are noted before they commit (<see cref="IgnoreAsync"/>).</item>
/// <item><b>Pending</b>: a datapoint write of this process between its commit and its
/// acknowledgement. The writer makes the band index catch up before it answers
/// (<see cref="Pending.VisibleAsync"/>), so no read on this instance waits for it: a read that
/// begins before the answer may leave it out, as it began before the write was acknowledged.</item>
/// </list>
/// A read whose snapshot shows nothing else the index lacks answers from the index as it is.
/// Anything unknown (another instance's write, an aborted transaction) still makes it wait.
/// </summary>
public sealed class LocalWrites
{
    private const byte Ignorable = 0;
    private const byte Waiting = 1;

    /// <summary>The most transactions a read looks through before it waits for a catch-up instead.</summary>
    public const int MaxExplained = 256;

    private readonly ConcurrentDictionary<ulong, byte> known = new();
    private Func<CancellationToken, Task>? catchUp;

    /// <summary>What makes this instance's band index current (set by the index); none: nothing to wait for.</summary>
    public void OnCommitted(Func<CancellationToken, Task> makeCurrent) => catchUp = makeCurrent;

    /// <summary>Notes a committed transaction of this process that wrote nothing the band index reads.</summary>
    public void Ignore(ulong xid) => known[xid] = Ignorable;

    /// <summary>
    /// Notes the transaction open on <paramref name="connection"/> (assigning it an id) as one that
    /// writes nothing the band index reads. Call it before the transaction commits: noted after, a
    /// read whose freshness check saw the commit in between finds a transaction it cannot explain and
    /// waits for a catch-up.
    /// </summary>
    public async Task IgnoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        Ignore(await XidAsync(connection, transaction, cancellationToken));

    /// <summary>Notes a datapoint write before it commits; dispose (or <see cref="Pending.VisibleAsync"/>) before acknowledging it.</summary>
    public Pending Begin(ulong xid)
    {
        known[xid] = Waiting;
        return new Pending(this, xid);
    }

    /// <summary>
    /// Whether every transaction that ended between a snapshot the index covers (<paramref name="xmax"/>,
    /// <paramref name="xip"/>) and <paramref name="now"/> is one of this process's ignorable or pending ones.
    /// </summary>
    public bool Explains(ulong xmax, IReadOnlySet<ulong> xip, Snapshot now)
    {
        if (known.IsEmpty || now.Xmax < xmax || now.Xmax - xmax > MaxExplained)
            return false;
        for (var x = xmax; x < now.Xmax; x++)
            if (!now.Xip.Contains(x) && !known.ContainsKey(x))
                return false;
        foreach (var x in xip)
            if (!now.Xip.Contains(x) && !known.ContainsKey(x))
                return false;
        return true;
    }

    /// <summary>Drops the ignorable transactions below <paramref name="xmin"/>: a snapshot the index covers has every one of them.</summary>
    public void Forget(ulong xmin)
    {
        foreach (var (xid, kind) in known)
            if (xid < xmin && kind == Ignorable)
                known.TryRemove(new KeyValuePair<ulong, byte>(xid, Ignorable));
    }

    /// <summary>The id of the transaction on <paramref name="connection"/> (assigning one).</summary>
    public static async Task<ulong> XidAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_current_xact_id()::text", connection, transaction);
        return ulong.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A datapoint write of this process, committed or about to be, not yet acknowledged.</summary>
    public sealed class Pending(LocalWrites writes, ulong xid) : IDisposable
    {
        /// <summary>
        /// After the commit, before the answer: makes this instance's band index current, then no
        /// longer lets reads leave the write out. A failed catch-up is not the write's failure (it
        /// is stored): reads then wait for the index as they would for another instance's write.
        /// </summary>
        public async Task VisibleAsync(ILogger logger)
        {
            try
            {
                // Not the request's token: the write is stored, and the catch-up serves every reader.
                if (writes.catchUp is { } makeCurrent)
                    await makeCurrent(CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The band index did not catch up on a write of this instance; reads catch up on it themselves");
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose() => writes.known.TryRemove(new KeyValuePair<ulong, byte>(xid, Waiting));
    }
}
