namespace Comp.Api.Features.Bands.Engine;

/// <summary>Compaction: dropping deleted rows and restoring role-and-region order.</summary>
internal sealed partial class IndexData
{
    /// <summary>Rows out of place: appended since the last compaction, or deleted and still taking room.</summary>
    public int Disorder => Count - Clustered + (Count - Live);

    /// <summary>
    /// Drops the deleted rows and puts the others in role-and-region order (then in their present
    /// order), column by column, in place: each column's old array is garbage once its new one is
    /// built. Only while no reader can see the index (a full load); see <see cref="Compacted"/> otherwise.
    /// </summary>
    public void Compact() => Fill(this, Freeze());

    /// <summary>
    /// A compacted copy, built while readers go on reading this one (nothing may write to this
    /// one meanwhile): the extra memory is a whole index until this one is dropped.
    /// </summary>
    public IndexData Compacted() => BeginCompaction().Build();

    /// <summary>
    /// The first step of a compaction that runs beside changes (<see cref="Compaction"/>): fixes
    /// which rows are live and in what order they go, and holds on to the columns as they are.
    /// Call it while no change is being applied; it reads the posting lists, not the columns.
    /// </summary>
    public Compaction BeginCompaction() => new(new IndexData(this), Freeze());

    /// <summary>
    /// A compaction of an index that changes while it builds. <see cref="BeginCompaction"/> fixed
    /// the live rows and their order; <see cref="Build"/> copies their columns with no lock held,
    /// so a change applied meanwhile may be read half old, half new (or not at all, when a resize
    /// moved the columns). Whoever applies changes must therefore apply every change made after
    /// <see cref="BeginCompaction"/> to the copy too, before publishing it: each change names its
    /// rows by id and writes them whole, so a torn or stale row is written again, a row deleted
    /// meanwhile is deleted again (the copy takes every frozen row as live), and a row appended
    /// meanwhile is appended.
    /// </summary>
    internal sealed class Compaction(IndexData target, Frozen source)
    {
        /// <summary>The compacted copy, in its state at <see cref="BeginCompaction"/> save for changes made since.</summary>
        public IndexData Build()
        {
            Fill(target, source);
            return target;
        }
    }

    /// <summary>The live rows in role-and-region order, and the column arrays they are read from.</summary>
    internal sealed record Frozen(
        int[] Order, Guid[] Ids, int[] Employer, ushort[] Role, ushort[] Region, byte[] Currency, byte[] Level, byte[] Source,
        ushort[] Profile, Dictionary<int, int> ProfileOverflow, byte[] Flags, int[] Day, double[] Base, double[] Bonus,
        double[] Equity, double[] Retention, double[] Signon, float[][] Ranges, int RoleSlots, int EmployerSlots);

    private Frozen Freeze()
    {
        var order = new int[Live];
        var n = 0;
        var keys = ByRoleRegion.Keys.ToArray();
        // Role-major (each role's rows end up together too), compared unsigned: roles from 32,768 on make negative keys.
        Array.Sort(keys, (a, b) => ((uint)a).CompareTo((uint)b));
        foreach (var key in keys)
        {
            foreach (var r in ByRoleRegion[key].Rows)
            {
                if ((Flags[r] & DeletedFlag) == 0)
                    order[n++] = r;
            }
        }
        if (n != Live)
            throw new InvalidOperationException($"The band index's posting lists hold {n} live rows, its count says {Live}.");
        // The overflow map and the outer array of range columns change in place: copies. Every
        // other column is replaced, never changed, by a resize, so holding the arrays suffices.
        return new Frozen(order, Ids, Employer, Role, Region, Currency, Level, Source, Profile,
            ProfileOverflow.Count == 0 ? [] : new Dictionary<int, int>(ProfileOverflow), Flags, Day, Base, Bonus, Equity, Retention, Signon,
            (float[][])Ranges.Clone(), ByRole.Length, ByEmployer.Length);
    }

    private static void Fill(IndexData target, Frozen source)
    {
        var order = source.Order;
        var n = order.Length;
        // The same capacity: rows appended later still fit without a resize.
        target.Ids = Gather(source.Ids, order);
        target.Employer = Gather(source.Employer, order);
        target.Role = Gather(source.Role, order);
        target.Region = Gather(source.Region, order);
        target.Currency = Gather(source.Currency, order);
        target.Level = Gather(source.Level, order);
        target.Source = Gather(source.Source, order);
        target.Profile = Gather(source.Profile, order);
        target.ProfileOverflow = [];
        if (source.ProfileOverflow.Count > 0)
            for (var i = 0; i < n; i++)
                if (target.Profile[i] == Profiles.Overflow && source.ProfileOverflow.TryGetValue(order[i], out var code))
                    target.ProfileOverflow[i] = code;
        target.Flags = Gather(source.Flags, order);
        // Every frozen row was live; one deleted since is deleted again by the change that did it.
        for (var i = 0; i < n; i++)
            target.Flags[i] &= unchecked((byte)~DeletedFlag);
        target.Day = Gather(source.Day, order);
        target.Base = Gather(source.Base, order);
        target.Bonus = Gather(source.Bonus, order);
        target.Equity = Gather(source.Equity, order);
        target.Retention = Gather(source.Retention, order);
        target.Signon = Gather(source.Signon, order);
        target.Ranges = source.Ranges.Select(column => Gather(column, order)).ToArray();
        target.Count = target.Clustered = target.Live = n;
        target.RebuildLists(source.RoleSlots, source.EmployerSlots);
    }

    /// <summary>The posting lists and the id map of rows in role-and-region order: lists are ranges, sized exactly.</summary>
    private void RebuildLists(int roleSlots, int employerSlots)
    {
        var n = Count;
        var roles = new int[roleSlots];
        var employers = new int[employerSlots];
        for (var r = 0; r < n; r++)
        {
            roles[Role[r]]++;
            employers[Employer[r]]++;
        }
        ByRole = Sized(roles);
        ByEmployer = Sized(employers);
        ByRoleRegion.Clear();
        for (var r = 0; r < n;)
        {
            var key = RoleRegion(Role[r], Region[r]);
            var end = r + 1;
            while (end < n && RoleRegion(Role[end], Region[end]) == key)
                end++;
            var list = new RowList(end - r);
            for (var i = r; i < end; i++)
                list.Add(i);
            ByRoleRegion[key] = list;
            r = end;
        }
        for (var r = 0; r < n; r++)
        {
            ByRole[Role[r]].Add(r);
            ByEmployer[Employer[r]].Add(r);
        }
        Map.Rebuild(Ids, n);
    }

    private static RowList[] Sized(int[] counts)
    {
        var lists = new RowList[counts.Length];
        for (var i = 0; i < counts.Length; i++)
            if (counts[i] > 0)
                lists[i] = new RowList(counts[i]);
        return lists;
    }

    private static T[] Gather<T>(T[] column, int[] order)
    {
        var next = GC.AllocateUninitializedArray<T>(column.Length);
        for (var i = 0; i < order.Length; i++)
            next[i] = column[order[i]];
        return next;
    }

    /// <summary>After a full load: columns (when the row estimate was off by more than 2%) and posting lists lose their spare capacity.</summary>
    public void Trim()
    {
        if (Capacity > Count + Count / 50 + 1024)
            Resize(Count);
        foreach (var list in ByRole.Concat(ByRoleRegion.Values).Concat(ByEmployer))
            list?.Trim();
    }
}
