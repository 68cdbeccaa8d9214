using System.Runtime.CompilerServices;
using Comp.Statistics;
using Comp.Statistics.Privacy;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// The datapoints in columns (struct of arrays), with posting lists per role, region and employer.
/// Between compactions a row does not move: a deleted row is flagged and skipped, a row whose
/// role, region or employer changes is deleted and appended again, and anything else is updated
/// in place. Compaction drops the deleted rows and orders the rest by role and region,
/// so that a posting list's rows lie next to each other in every column: a cut then reads memory
/// in order instead of one cache miss per column per row. Readers hold the read lock for a whole
/// query; changes are applied under the write lock in one go, and a compaction builds a new copy
/// that replaces this one for later readers.
/// </summary>
internal sealed partial class IndexData
{
    public const byte VerifiedFlag = 1;
    public const byte DeletedFlag = 2;
    public const byte HasBonus = 4;
    public const byte HasEquity = 8;
    public const byte HasRetention = 16;
    public const byte HasSignon = 32;

    /// <summary>
    /// The numeric columns a band filter can take an inclusive range over (<see cref="RangeFilter"/>):
    /// the name the filter uses and the SQL expression a row's value is read with (float8, null when
    /// absent). A value is held as a float: exact for the one-decimal values these columns take.
    /// A new range filter needs a line here and its parameter in <c>BandFilter</c>, nothing else.
    /// </summary>
    public static readonly (string Name, string Sql)[] RangeColumns =
    [
        ("yearsOfExperience", "d.years_of_experience::float8"),
    ];

    /// <summary>The flag a row has when it carries <paramref name="amount"/>; 0 for none.</summary>
    public static byte FlagOf(Amount? amount) => amount switch
    {
        Amount.Bonus => HasBonus,
        Amount.Equity => HasEquity,
        Amount.Retention => HasRetention,
        Amount.Signon => HasSignon,
        null => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(amount), amount, null),
    };

    public ReaderWriterLockSlim Gate { get; } = new(LockRecursionPolicy.NoRecursion);

    /// <summary>
    /// Whether rows are also listed by role, role-and-region and employer and mapped by id (the
    /// in-memory index), or only held in columns (a batch of one cut's rows read from PostgreSQL).
    /// </summary>
    public bool HasPostingLists { get; }

    public Dimension Roles { get; }
    public Dimension Regions { get; }
    public Dimension Levels { get; }
    public Dimension Currencies { get; }
    public Dimension Sources { get; }

    /// <summary>Rows' equity basis, package type and vesting, by the code in <see cref="Profile"/>.</summary>
    public Profiles Profiles { get; }

    /// <summary>
    /// What gives each row its content tag, from its id (<see cref="ContentTags"/>): a protected
    /// query sums its cells' tags as it scans (no column of its own: it would cost 8 bytes a row
    /// for every query, where the id is read by protected queries only). Null: no protected answers.
    /// </summary>
    public ContentTags? Tagger { get; }

    public IndexData(bool postingLists = true, ContentTags? tagger = null)
    {
        HasPostingLists = postingLists;
        Tagger = tagger;
        Roles = new("role", ushort.MaxValue);
        Regions = new("region", ushort.MaxValue);
        Levels = new("level", byte.MaxValue - 1);
        Currencies = new("currency", byte.MaxValue); // ISO 4217 has about 160 codes in circulation
        Sources = new("source", byte.MaxValue);
        Profiles = new Profiles();
    }

    /// <summary>An empty index with <paramref name="source"/>'s dimensions (the same codes) and employers.</summary>
    private IndexData(IndexData source)
    {
        HasPostingLists = source.HasPostingLists;
        Tagger = source.Tagger;
        (Roles, Regions, Levels, Currencies, Sources, Profiles) = (source.Roles, source.Regions, source.Levels, source.Currencies, source.Sources, source.Profiles);
        EmployerSlugs = (string?[])source.EmployerSlugs.Clone();
        employerCodes = new Dictionary<int, int>(source.employerCodes);
        employerIdsBySlug = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(source.employerIdsBySlug, StringComparer.Ordinal);
        (MinDay, MaxDay, Fx) = (source.MinDay, source.MaxDay, source.Fx);
    }

    public int Count;
    public int Live;
    /// <summary>Rows 0 … Clustered − 1 are in role-and-region order (as the last compaction left them); later rows were appended since.</summary>
    public int Clustered;
    public Guid[] Ids = [];
    public int[] Employer = [];
    public ushort[] Role = [];
    public ushort[] Region = [];
    public byte[] Currency = [];
    public byte[] Level = [];
    public byte[] Source = [];
    /// <summary>The code of the row's basis, package type and vesting in <see cref="Profiles"/>; <see cref="Profiles.Overflow"/>: in <see cref="ProfileOverflow"/>.</summary>
    public ushort[] Profile = [];
    /// <summary>The profile codes that do not fit in two bytes, by row (empty for any real dataset).</summary>
    public Dictionary<int, int> ProfileOverflow = [];
    public byte[] Flags = [];
    public int[] Day = [];
    // Amounts of an absent component are 0, so a total adds them without a test (x + 0.0 == x).
    public double[] Base = [];
    public double[] Bonus = [];
    public double[] Equity = [];
    public double[] Retention = [];
    public double[] Signon = [];
    /// <summary>The range columns, by <see cref="RangeColumns"/>.</summary>
    public float[][] Ranges = RangeColumns.Select(_ => Array.Empty<float>()).ToArray();
    /// <summary>The FX table the rows are converted with: set with the rows (under the write lock), so a query sees the two of one moment.</summary>
    public FxTable Fx = FxTable.Empty;
    public int MinDay = int.MaxValue;
    public int MaxDay = int.MinValue;

    public readonly RowMap Map = new();
    public RowList[] ByRole = [];
    /// <summary>Rows by role and region together (<see cref="RoleRegion"/>): a role-in-a-region cut reads only its own rows.</summary>
    public readonly Dictionary<int, RowList> ByRoleRegion = [];
    /// <summary>Rows by employer code.</summary>
    public RowList[] ByEmployer = [];
    /// <summary>Employer slugs by employer code (for cells grouped by employer).</summary>
    public string?[] EmployerSlugs = [];

    /// <summary>
    /// Employer codes by database id. The <see cref="Employer"/> column holds codes, numbered densely
    /// as the index first meets each employer: database ids have gaps (at 10M rows the benchmark's
    /// 20,000 employers had ids up to 224,904), and arrays by employer (counts, cells, lists) are
    /// sized by the codes.
    /// </summary>
    private readonly Dictionary<int, int> employerCodes = [];

    /// <summary>Employer ids by slug, for band filters (read without the gate: slugs and ids never change once made).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> employerIdsBySlug = new(StringComparer.Ordinal);

    /// <summary>How many employer codes exist (codes are 0 … Employers − 1).</summary>
    public int Employers => employerCodes.Count;

    public int Capacity => Ids.Length;

    /// <summary>The bytes the index's arrays take (capacity included), the measure of its memory budget.</summary>
    public long Bytes
    {
        get
        {
            long perRow = 16 + 4 + 2 + 2 + 1 + 1 + 1 + 2 + 1 + 4 + 5 * 8 + 4 * RangeColumns.Length;
            var lists = ByRole.Sum(l => l?.Bytes ?? 0) + ByRoleRegion.Values.Sum(l => l.Bytes) + ByEmployer.Sum(l => l?.Bytes ?? 0);
            return Capacity * perRow + Map.Bytes + lists + EmployerSlugs.Length * 8L + employerCodes.Count * 20L + ProfileOverflow.Count * 12L;
        }
    }

    public void EnsureCapacity(int rows)
    {
        if (rows <= Capacity)
            return;
        // The index grows by a quarter (it lives long, and its spare room costs memory); a one-cut
        // batch doubles (it lives for one query, and each resize copies every column).
        Resize(Math.Max(rows, Capacity + Math.Max(HasPostingLists ? Capacity >> 2 : Capacity, 4096)));
    }

    /// <summary>
    /// Makes room for <paramref name="rows"/> more rows before a change that adds them is applied,
    /// so that the write lock is not held while the columns (a hundred megabytes at a million rows)
    /// and the id map are copied into larger arrays. Readers go on reading meanwhile: they read
    /// rows below <see cref="Count"/>, which the old and the new arrays hold alike, and only
    /// changes (which this one writer makes, after this) write to the arrays. Queries do not use
    /// the id map.
    /// </summary>
    public void Reserve(int rows)
    {
        EnsureCapacity(Count + rows);
        if (HasPostingLists)
            Map.Reserve(Ids, Count + rows);
    }

    private void Resize(int size)
    {
        Array.Resize(ref Ids, size);
        Array.Resize(ref Employer, size);
        Array.Resize(ref Role, size);
        Array.Resize(ref Region, size);
        Array.Resize(ref Currency, size);
        Array.Resize(ref Level, size);
        Array.Resize(ref Source, size);
        Array.Resize(ref Profile, size);
        Array.Resize(ref Flags, size);
        Array.Resize(ref Day, size);
        Array.Resize(ref Base, size);
        Array.Resize(ref Bonus, size);
        Array.Resize(ref Equity, size);
        Array.Resize(ref Retention, size);
        Array.Resize(ref Signon, size);
        for (var i = 0; i < Ranges.Length; i++)
            Array.Resize(ref Ranges[i], size);
    }

    /// <summary>The range column named <paramref name="name"/> (one of <see cref="RangeColumns"/>).</summary>
    public float[] RangeColumn(string name)
    {
        var at = Array.FindIndex(RangeColumns, c => c.Name == name);
        return at >= 0 ? Ranges[at] : throw new ArgumentOutOfRangeException(nameof(name), name, null);
    }

    /// <summary>The employer's code, given one if it has none yet (only while no reader can look: under the write lock or before publishing).</summary>
    public int EmployerCode(int id)
    {
        if (employerCodes.TryGetValue(id, out var code))
            return code;
        code = employerCodes.Count;
        if (code >= EmployerSlugs.Length)
            Array.Resize(ref EmployerSlugs, Math.Max(16, EmployerSlugs.Length + (EmployerSlugs.Length >> 1)));
        employerCodes[id] = code;
        return code;
    }

    /// <summary>The database ids of the employers that have a code.</summary>
    public IEnumerable<int> EmployerIds => employerCodes.Keys;

    public bool TryEmployerCode(int id, out int code) => employerCodes.TryGetValue(id, out code);

    public void SetEmployer(int id, string slug)
    {
        var code = EmployerCode(id); // first: it may replace the slug array
        EmployerSlugs[code] = slug;
        employerIdsBySlug[slug] = id;
    }

    /// <summary>The id of an employer the index has seen, by slug (one without datapoints here is not known).</summary>
    public bool TryEmployerId(string slug, out int id) => employerIdsBySlug.TryGetValue(slug, out id);

    public bool KnowsEmployer(int id) => employerCodes.TryGetValue(id, out var code) && EmployerSlugs[code] is not null;

    /// <summary>Adds the row, or updates the row with its id. Returns whether anything changed.</summary>
    public bool Upsert(in IndexRow row)
    {
        var at = Map.Find(row.Id, Ids);
        if (at >= 0 && (Flags[at] & DeletedFlag) == 0)
        {
            if (Employer[at] == EmployerCode(row.EmployerId) && Role[at] == row.Role && Region[at] == row.Region)
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
        if (at < 0 || (Flags[at] & DeletedFlag) != 0)
            return false;
        Delete(at);
        return true;
    }

    private void Delete(int at)
    {
        Flags[at] |= DeletedFlag;
        Live--;
    }

    public void Append(in IndexRow row)
    {
        EnsureCapacity(Count + 1);
        var at = Count;
        Write(at, row, changedOnly: false);
        Count++;
        Live++;
        if (!HasPostingLists)
            return;
        Map.Set(row.Id, at, Ids, Count);
        List(ref ByRole, row.Role).Add(at);
        var key = RoleRegion(row.Role, row.Region);
        if (!ByRoleRegion.TryGetValue(key, out var pair))
            ByRoleRegion[key] = pair = new RowList();
        pair.Add(at);
        List(ref ByEmployer, Employer[at]).Add(at);
    }

    /// <summary>The row's profile code (<see cref="Profiles"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ProfileOf(int row) => Profile[row] is var code && code != Profiles.Overflow ? code : ProfileOverflow[row];

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
        if (changedOnly && Flags[at] == flags && Level[at] == row.Level && Currency[at] == row.Currency && Source[at] == row.Source
            && ProfileOf(at) == row.Profile && Day[at] == row.Day && Base[at].Equals(row.Base) && Bonus[at].Equals(bonus) && Equity[at].Equals(equity)
            && Retention[at].Equals(retention) && Signon[at].Equals(signon) && SameRanges(at, row))
            return false;
        Ids[at] = row.Id;
        Employer[at] = EmployerCode(row.EmployerId);
        Role[at] = (ushort)row.Role;
        Region[at] = (ushort)row.Region;
        Currency[at] = (byte)row.Currency;
        Level[at] = (byte)row.Level;
        Source[at] = (byte)row.Source;
        if (row.Profile < Profiles.Overflow)
        {
            Profile[at] = (ushort)row.Profile;
            if (ProfileOverflow.Count > 0)
                ProfileOverflow.Remove(at);
        }
        else
        {
            Profile[at] = Profiles.Overflow;
            ProfileOverflow[at] = row.Profile;
        }
        Flags[at] = flags;
        Day[at] = row.Day;
        Base[at] = row.Base;
        Bonus[at] = bonus;
        Equity[at] = equity;
        Retention[at] = retention;
        Signon[at] = signon;
        for (var i = 0; i < Ranges.Length; i++)
            Ranges[i][at] = row.Ranges[i];
        MinDay = Math.Min(MinDay, row.Day);
        MaxDay = Math.Max(MaxDay, row.Day);
        return true;
    }

    private bool SameRanges(int at, in IndexRow row)
    {
        for (var i = 0; i < Ranges.Length; i++)
            if (!Ranges[i][at].Equals(row.Ranges[i]))
                return false;
        return true;
    }
}
