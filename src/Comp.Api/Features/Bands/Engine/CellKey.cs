using System.Runtime.CompilerServices;
using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// A row's cell: one code per group key (employer, role, level, region, equity basis, package
/// type, an employer attribute, period), combined in mixed
/// radix into one number, and the labels of a cell's keys read back from one of its rows.
/// </summary>
internal sealed class CellKey
{
    private readonly IndexData data;
    private readonly KeyPart[] dimensions;
    private readonly string interval;
    // Periods: each day's period code (the period's ordinal less the first one's).
    private readonly int[]? periodOfDay;
    private readonly int firstPeriod;
    // The profiles as of the query (basis and package type), when a key needs them.
    private readonly Profiles.Entry[] profiles = [];

    public CellKey(IndexData data, BandQuery query)
    {
        this.data = data;
        interval = query.Interval ?? Periods.Default;
        if (query.GroupBy.Contains(Engine.GroupKeys.Period) && data.MaxDay >= data.MinDay)
        {
            firstPeriod = Periods.Ordinal(Days.Date(data.MinDay), interval);
            periodOfDay = new int[data.MaxDay - data.MinDay + 1];
            for (var day = data.MinDay; day <= data.MaxDay; day++)
                periodOfDay[day - data.MinDay] = Periods.Ordinal(Days.Date(day), interval) - firstPeriod;
        }
        dimensions = query.GroupBy.Select(key => Part(key, query)).ToArray();
        if (dimensions.Any(d => d.Kind is KeyKind.Basis or KeyKind.Package))
            profiles = [.. data.Profiles.Entries];
        long radix = 1;
        foreach (var dimension in dimensions)
        {
            dimension.Stride = radix;
            radix = checked(radix * Math.Max(1, dimension.Size));
        }
        Cells = radix;
    }

    /// <summary>How many group keys a cell has.</summary>
    public int Count => dimensions.Length;

    /// <summary>How many cells the keys can make (the product of their sizes).</summary>
    public long Cells { get; }

    private enum KeyKind
    {
        Employer,
        Role,
        Level,
        Region,
        Basis,
        Package,
        Attribute,
        Period,
    }

    private sealed class KeyPart(KeyKind kind, int size)
    {
        public KeyKind Kind { get; } = kind;
        public int Size { get; } = size;
        public long Stride { get; set; }
        /// <summary>An employer attribute's values (its codes less one; 0: not set).</summary>
        public IReadOnlyList<string> Values { get; init; } = [];
        /// <summary>An employer attribute's code by employer code.</summary>
        public int[] OfEmployer { get; init; } = [];
    }

    private KeyPart Part(string key, BandQuery query)
    {
        if (!Engine.GroupKeys.IsEmployerAttribute(key))
            return new KeyPart(Kind(key), Size(key));
        IReadOnlyList<string> values = key switch
        {
            Engine.GroupKeys.Industry => query.Industries,
            Engine.GroupKeys.Stage => Data.EmployerAttributes.Stages,
            _ => Data.EmployerAttributes.Headcounts,
        };
        // Sized as the data's employers now; a row of an employer coded since reads as "not set".
        var ofEmployer = new int[data.Employers];
        foreach (var (id, attributes) in query.EmployerAttributes)
        {
            if (data.TryEmployerCode(id, out var code) && code < ofEmployer.Length && attributes.Of(key) is { } value)
            {
                var index = IndexOf(values, value);
                ofEmployer[code] = index < 0 ? 0 : index + 1;
            }
        }
        return new KeyPart(KeyKind.Attribute, values.Count + 1) { Values = values, OfEmployer = ofEmployer };
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
            if (values[i] == value)
                return i;
        return -1;
    }

    private static KeyKind Kind(string key) => key switch
    {
        Engine.GroupKeys.Employer => KeyKind.Employer,
        Engine.GroupKeys.Role => KeyKind.Role,
        Engine.GroupKeys.Level => KeyKind.Level,
        Engine.GroupKeys.Region => KeyKind.Region,
        Engine.GroupKeys.EquityBasis => KeyKind.Basis,
        Engine.GroupKeys.PackageType => KeyKind.Package,
        Engine.GroupKeys.Period => KeyKind.Period,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    private int Size(string key) => Kind(key) switch
    {
        KeyKind.Employer => data.Employers,
        KeyKind.Role => data.Roles.Count,
        KeyKind.Level => data.Levels.Count + 1, // 0: no level
        KeyKind.Region => data.Regions.Count,
        KeyKind.Basis => EquityBases.Codes, // 0: unknown
        KeyKind.Package => PackageTypes.All.Count,
        _ => periodOfDay is null ? 1 : periodOfDay[^1] + 1,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Code(KeyPart dimension, int row) => dimension.Kind switch
    {
        KeyKind.Employer => data.Employer[row],
        KeyKind.Role => data.Role[row],
        KeyKind.Level => data.Level[row],
        KeyKind.Region => data.Region[row],
        KeyKind.Basis => profiles[data.ProfileOf(row)].Basis,
        KeyKind.Package => profiles[data.ProfileOf(row)].Package,
        KeyKind.Attribute => data.Employer[row] is var employer && employer < dimension.OfEmployer.Length ? dimension.OfEmployer[employer] : 0,
        _ => periodOfDay![data.Day[row] - data.MinDay],
    };

    /// <summary>The row's cell number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Key(int row)
    {
        long key = 0;
        foreach (var dimension in dimensions)
            key += Code(dimension, row) * dimension.Stride;
        return key;
    }

    /// <summary>The labels of the cell <paramref name="row"/> belongs to, in group-key order (null: no level, unknown basis).</summary>
    public string?[] Labels(int row)
    {
        var labels = new string?[dimensions.Length];
        for (var i = 0; i < dimensions.Length; i++)
        {
            var code = (int)Code(dimensions[i], row);
            labels[i] = dimensions[i].Kind switch
            {
                KeyKind.Employer => data.EmployerSlugs[code],
                KeyKind.Role => data.Roles[code],
                KeyKind.Level => code == 0 ? null : data.Levels[code - 1],
                KeyKind.Region => data.Regions[code],
                KeyKind.Basis => EquityBases.Name(code),
                KeyKind.Package => PackageTypes.All[code],
                KeyKind.Attribute => code == 0 ? null : dimensions[i].Values[code - 1],
                _ => Periods.Label(firstPeriod + code, interval),
            };
        }
        return labels;
    }
}
