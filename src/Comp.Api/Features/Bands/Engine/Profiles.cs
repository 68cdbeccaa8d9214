using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// What a row is besides its dimensions and amounts — its equity basis, its package type and its
/// grants' vesting (even over Y years, or a schedule) — numbered: each distinct combination gets a
/// code the first time it is seen, and a row holds that code in two bytes (<see cref="IndexData.Profile"/>)
/// instead of five columns. An entry keeps what queries read: the basis and package codes, each
/// grant's share of its annual value in years 1–4 (<see cref="Vesting.Share"/>: exactly 1 for each
/// year of even vesting), and its schedules as text for the methodology. The datapoints of a real
/// dataset share a few profiles; past 65,535 of them (schedules are free data, and an ingest key
/// could send that many) a row holds <see cref="Overflow"/> and its code sits in
/// <see cref="IndexData.ProfileOverflow"/>. Codes are handed out while readers read (rows are parsed
/// outside the write lock): entries grow copy-on-write, and a row's code is in the table before
/// the row is written, so a reader's snapshot covers every row it can see.
/// </summary>
internal sealed class Profiles
{
    /// <summary>The components read years 1 to this.</summary>
    public const int Years = 4;

    /// <summary>The two-byte value of a row whose code does not fit in two bytes.</summary>
    public const ushort Overflow = ushort.MaxValue;

    /// <param name="Basis">The equity basis code (<see cref="EquityBases.Code"/>: 0 unknown).</param>
    /// <param name="Package">The package type code (<see cref="PackageTypes.Code"/>).</param>
    /// <param name="Equity">The equity grant's schedule as text (<c>33/33/22/12</c>), or <c>even over Y years</c>.</param>
    /// <param name="Retention">The retention grant's, the same way.</param>
    /// <param name="EquityShares">Year K's share of the annual equity value at [K − 1], K = 1 … <see cref="Years"/>.</param>
    /// <param name="RetentionShares">The same for the annual retention value.</param>
    public sealed record Entry(byte Basis, byte Package, string Equity, string Retention, double[] EquityShares, double[] RetentionShares);

    private readonly Lock growing = new();
    private readonly Dictionary<(int, int, int, string?, int, string?), int> codes = [];
    // Codes of the profiles without schedules by (basis, package, equity years, retention years), plus 1 (0: none yet), read without the lock.
    private readonly int[] plainCodes = new int[EquityBases.Codes * PackageTypes.All.Count * (Vesting.MaxYears + 1) * (Vesting.MaxYears + 1)];
    // Grown by doubling; slots from count on are not yet entries.
    private Entry[] entries = new Entry[16];
    private int count;

    /// <summary>The entries by code, as of now: every code a row written so far holds is in it.</summary>
    public ArraySegment<Entry> Entries
    {
        get
        {
            // The count first: an array read after it holds at least that many entries.
            var n = Volatile.Read(ref count);
            return new ArraySegment<Entry>(Volatile.Read(ref entries), 0, n);
        }
    }

    /// <summary>The code of a row's profile: basis and package codes, vesting years, and schedules (null: even).</summary>
    public int Intern(int basis, int package, int equityYears, double[]? equitySchedule, int retentionYears, double[]? retentionSchedule)
    {
        var plainAt = equitySchedule is null && retentionSchedule is null && equityYears is >= 1 and <= Vesting.MaxYears && retentionYears is >= 1 and <= Vesting.MaxYears
            ? ((basis * PackageTypes.All.Count + package) * (Vesting.MaxYears + 1) + equityYears) * (Vesting.MaxYears + 1) + retentionYears
            : -1;
        if (plainAt >= 0 && Volatile.Read(ref plainCodes[plainAt]) is > 0 and var known)
            return known - 1;
        var key = (basis, package, equityYears, Text(equitySchedule), retentionYears, Text(retentionSchedule));
        lock (growing)
        {
            if (!codes.TryGetValue(key, out var code))
            {
                code = count;
                var entry = new Entry((byte)basis, (byte)package,
                    Describe(equityYears, equitySchedule), Describe(retentionYears, retentionSchedule),
                    Shares(equitySchedule, equityYears), Shares(retentionSchedule, retentionYears));
                if (code == entries.Length)
                {
                    var grown = new Entry[entries.Length * 2];
                    entries.CopyTo(grown, 0);
                    grown[code] = entry;
                    Volatile.Write(ref entries, grown);
                }
                else
                    entries[code] = entry;
                codes[key] = code;
                Volatile.Write(ref count, code + 1);
            }
            if (plainAt >= 0)
                Volatile.Write(ref plainCodes[plainAt], code + 1);
            return code;
        }
    }

    private static string? Text(double[]? schedule) => schedule is null ? null : Vesting.Describe(schedule);

    private static string Describe(int years, double[]? schedule) =>
        schedule is null ? $"even over {years} year{(years == 1 ? "" : "s")}" : Vesting.Describe(schedule);

    private static double[] Shares(double[]? schedule, int years) =>
        Enumerable.Range(1, Years).Select(year => Vesting.Share(schedule, years, year)).ToArray();
}
