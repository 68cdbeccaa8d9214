namespace Comp.Api.Features.Bands.Index;

/// <summary>One datapoint as the index stores it: codes for the dimensions, amounts as doubles.</summary>
internal struct IndexRow
{
    public Guid Id;
    public int EmployerId;
    public int Role;
    public int Level; // 0: no level; else 1 + the level's code
    public int Region;
    public int Currency;
    public int Source;
    public int Day; // days since 2000-01-01
    public bool Verified;
    public double Base;
    public double Bonus; // NaN when absent
    public double Equity; // the annual value (grant / vesting years), NaN when absent
    public double Retention; // the annual value, NaN when absent
    public double Signon; // NaN when absent
}

/// <summary>
/// What a band reads of one datapoint, packed in 57 bytes. Row-major on purpose: a cut reached
/// through a posting list touches scattered rows, and one or two cache lines per row cost far less
/// memory traffic than one line per column (measured at 10M datapoints: a 1.2M-row cut took
/// 62–80 ms in columns). Amounts of an absent component are 0, so a total adds them without a
/// test (x + 0.0 == x); the flags say which are present.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
internal struct HotRow
{
    public double Base;
    public double Bonus;
    public double Equity; // the annual value (grant / vesting years)
    public double Retention; // the annual value
    public double Signon;
    public int Employer;
    public int Day; // days since 2000-01-01
    public ushort Role;
    public ushort Region;
    public ushort Currency;
    public byte Level; // 0: none; else 1 + the level's code
    public byte Source;
    public byte Flags;
}

/// <summary>
/// The datapoints: ids in one array, the rest in row-major records, with posting lists per role,
/// per role and region, and per employer.
/// A row never moves: a deleted row is flagged and skipped, a row whose role, region or employer
/// changes is deleted and appended again, and anything else is updated in place. Readers hold the
/// read lock for a whole query; changes are applied under the write lock in one go.
/// </summary>
internal sealed class IndexData
{
    public const byte VerifiedFlag = 1;
    public const byte DeletedFlag = 2;
    public const byte HasBonus = 4;
    public const byte HasEquity = 8;
    public const byte HasRetention = 16;
    public const byte HasSignon = 32;

    public static readonly DateOnly Epoch = new(2000, 1, 1);

    public ReaderWriterLockSlim Gate { get; } = new(LockRecursionPolicy.NoRecursion);

    public Dimension Roles { get; } = new("role", ushort.MaxValue);
    public Dimension Regions { get; } = new("region", ushort.MaxValue);
    public Dimension Levels { get; } = new("level", byte.MaxValue - 1);
    public Dimension Currencies { get; } = new("currency", ushort.MaxValue);
    public Dimension Sources { get; } = new("source", byte.MaxValue);

    public int Count;
    public int Live;
    /// <summary>The datapoints' ids (cold: read only to apply updates and deletions).</summary>
    public Guid[] Ids = [];
    /// <summary>Everything a band reads of a datapoint, one record each (hot, 57 bytes).</summary>
    public HotRow[] Rows = [];
    public int MinDay = int.MaxValue;
    public int MaxDay = int.MinValue;

    public readonly RowMap Map = new();
    public RowList[] ByRole = [];
    /// <summary>Rows by role and region together (<see cref="RoleRegion"/>): a role-in-a-region cut reads only its own rows.</summary>
    public readonly Dictionary<int, RowList> ByRoleRegion = [];
    public RowList[] ByEmployer = [];
    /// <summary>Employer slugs by employer id (for cells grouped by employer).</summary>
    public string?[] EmployerSlugs = [];

    public int Capacity => Ids.Length;

    /// <summary>The bytes the index's arrays take (capacity included), the measure of its memory budget.</summary>
    public long Bytes
    {
        get
        {
            long perRow = 16 + System.Runtime.CompilerServices.Unsafe.SizeOf<HotRow>();
            var lists = ByRole.Sum(l => l?.Bytes ?? 0) + ByRoleRegion.Values.Sum(l => l.Bytes) + ByEmployer.Sum(l => l?.Bytes ?? 0);
            return Capacity * perRow + Map.Bytes + lists + EmployerSlugs.Length * 8L;
        }
    }

    public void EnsureCapacity(int rows)
    {
        if (rows <= Capacity)
            return;
        var size = Math.Max(rows, Capacity + Math.Max(Capacity >> 2, 4096));
        Array.Resize(ref Ids, size);
        Array.Resize(ref Rows, size);
    }

    public void SetEmployer(int id, string slug)
    {
        if (id >= EmployerSlugs.Length)
            Array.Resize(ref EmployerSlugs, Math.Max(id + 1, EmployerSlugs.Length + (EmployerSlugs.Length >> 1)));
        EmployerSlugs[id] = slug;
    }

    public bool KnowsEmployer(int id) => id >= 0 && id < EmployerSlugs.Length && EmployerSlugs[id] is not null;

    /// <summary>Adds the row, or updates the row with its id. Returns whether anything changed.</summary>
    public bool Upsert(in IndexRow row)
    {
        var at = Map.Find(row.Id, Ids);
        if (at >= 0 && (Rows[at].Flags & DeletedFlag) == 0)
        {
            ref var existing = ref Rows[at];
            if (existing.Employer == row.EmployerId && existing.Role == row.Role && existing.Region == row.Region)
                return Write(at, row, changedOnly: true);
            Delete(at);
        }
        Append(row);
        return true;
    }

    /// <summary>Flags the row with this id as deleted. Returns whether it was there.</summary>
    public bool Delete(Guid id)
    {
        var at = Map.Find(id, Ids);
        if (at < 0 || (Rows[at].Flags & DeletedFlag) != 0)
            return false;
        Delete(at);
        return true;
    }

    private void Delete(int at)
    {
        Rows[at].Flags |= DeletedFlag;
        Live--;
    }

    public void Append(in IndexRow row)
    {
        EnsureCapacity(Count + 1);
        var at = Count;
        Write(at, row, changedOnly: false);
        Count++;
        Live++;
        Map.Set(row.Id, at, Ids, Count);
        List(ref ByRole, row.Role).Add(at);
        var key = RoleRegion(row.Role, row.Region);
        if (!ByRoleRegion.TryGetValue(key, out var pair))
            ByRoleRegion[key] = pair = new RowList();
        pair.Add(at);
        List(ref ByEmployer, row.EmployerId).Add(at);
    }

    public static int RoleRegion(int role, int region) => (role << 16) | region;

    private static RowList List(ref RowList[] lists, int code)
    {
        if (code >= lists.Length)
            Array.Resize(ref lists, Math.Max(code + 1, lists.Length * 2));
        return lists[code] ??= new RowList();
    }

    private bool Write(int at, in IndexRow row, bool changedOnly)
    {
        byte flags = 0;
        if (row.Verified)
            flags |= VerifiedFlag;
        if (!double.IsNaN(row.Bonus))
            flags |= HasBonus;
        if (!double.IsNaN(row.Equity))
            flags |= HasEquity;
        if (!double.IsNaN(row.Retention))
            flags |= HasRetention;
        if (!double.IsNaN(row.Signon))
            flags |= HasSignon;
        var bonus = double.IsNaN(row.Bonus) ? 0 : row.Bonus;
        var equity = double.IsNaN(row.Equity) ? 0 : row.Equity;
        var retention = double.IsNaN(row.Retention) ? 0 : row.Retention;
        var signon = double.IsNaN(row.Signon) ? 0 : row.Signon;
        var hot = new HotRow
        {
            Base = row.Base,
            Bonus = bonus,
            Equity = equity,
            Retention = retention,
            Signon = signon,
            Employer = row.EmployerId,
            Day = row.Day,
            Role = (ushort)row.Role,
            Region = (ushort)row.Region,
            Currency = (ushort)row.Currency,
            Level = (byte)row.Level,
            Source = (byte)row.Source,
            Flags = flags,
        };
        ref var target = ref Rows[at];
        if (changedOnly && target.Flags == hot.Flags && target.Level == hot.Level && target.Currency == hot.Currency && target.Source == hot.Source
            && target.Day == hot.Day && target.Base.Equals(hot.Base) && target.Bonus.Equals(hot.Bonus) && target.Equity.Equals(hot.Equity)
            && target.Retention.Equals(hot.Retention) && target.Signon.Equals(hot.Signon))
            return false;
        Ids[at] = row.Id;
        target = hot;
        MinDay = Math.Min(MinDay, row.Day);
        MaxDay = Math.Max(MaxDay, row.Day);
        return true;
    }

    /// <summary>After a full load: columns (when the row estimate was off by more than 2%) and posting lists lose their spare capacity.</summary>
    public void Trim()
    {
        if (Capacity > Count + Count / 50 + 1024)
        {
            Array.Resize(ref Ids, Count);
            Array.Resize(ref Rows, Count);
        }
        foreach (var list in ByRole.Concat(ByRoleRegion.Values).Concat(ByEmployer))
            list?.Trim();
    }
}
