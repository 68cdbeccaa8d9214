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
    public void Compact() => CompactInto(this);

    /// <summary>
    /// A compacted copy, built while readers go on reading this one (nothing may write to this
    /// one meanwhile): the extra memory is a whole index until this one is dropped.
    /// </summary>
    public IndexData Compacted()
    {
        var copy = new IndexData(this);
        CompactInto(copy);
        return copy;
    }

    private void CompactInto(IndexData target)
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

        // The same capacity: rows appended later still fit without a resize.
        target.Ids = Gather(Ids, order);
        target.Employer = Gather(Employer, order);
        target.Role = Gather(Role, order);
        target.Region = Gather(Region, order);
        target.Currency = Gather(Currency, order);
        target.Level = Gather(Level, order);
        target.Source = Gather(Source, order);
        // Read before it is replaced: the target may be this index itself (Compact).
        var overflow = ProfileOverflow;
        target.Profile = Gather(Profile, order);
        target.ProfileOverflow = [];
        if (overflow.Count > 0)
            for (var i = 0; i < n; i++)
                if (target.Profile[i] == Profiles.Overflow)
                    target.ProfileOverflow[i] = overflow[order[i]];
        target.Flags = Gather(Flags, order);
        target.Day = Gather(Day, order);
        target.Base = Gather(Base, order);
        target.Bonus = Gather(Bonus, order);
        target.Equity = Gather(Equity, order);
        target.Retention = Gather(Retention, order);
        target.Signon = Gather(Signon, order);
        target.Ranges = Ranges.Select(column => Gather(column, order)).ToArray();
        target.Count = target.Clustered = target.Live = n;
        target.RebuildLists(ByRole.Length, ByEmployer.Length);
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
