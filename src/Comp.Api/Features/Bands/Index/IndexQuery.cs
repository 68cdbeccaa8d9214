using System.Buffers;
using Comp.Statistics;

namespace Comp.Api.Features.Bands.Index;

/// <summary>
/// Answers a band query from the index: picks the shortest posting list the filters allow (or
/// every row), tests each row against the other filters, computes its value exactly as the SQL
/// store's expressions do (the same double operations in the same order: amounts as float8,
/// × source rate ÷ target rate, × (1 + r)^(days / 365.25)), and collects each cell's values
/// unsorted with the counts disclosure needs. The cells' percentiles are then found by selection
/// (<see cref="Band.ComputeUnsorted"/>), not by sorting.
/// </summary>
internal sealed class IndexQuery
{
    private readonly IndexData data;
    private readonly BandQuery query;
    private readonly long parallelFrom;

    private IndexQuery(IndexData data, BandQuery query, long parallelFrom)
    {
        this.data = data;
        this.query = query;
        this.parallelFrom = parallelFrom;
    }

    /// <summary>Runs the query under the index's read lock; from <paramref name="parallelFrom"/> candidate rows on, on two cores.</summary>
    public static BandData Run(IndexData data, FxTable fx, BandQuery query, double agingRate, long parallelFrom)
    {
        data.Gate.EnterReadLock();
        try
        {
            return new IndexQuery(data, query, parallelFrom).Execute(fx, agingRate);
        }
        finally
        {
            data.Gate.ExitReadLock();
        }
    }

    private BandData Execute(FxTable fx, double agingRate)
    {
        var roleOk = Mask(data.Roles, query.Roles, 0);
        var levelOk = Mask(data.Levels, query.Levels, 1);
        var regionOk = Mask(data.Regions, query.Regions, 0);
        var sourceOk = Mask(data.Sources, query.Sources, 0);
        bool[]? employerOk = null;
        if (query.EmployerIds.Count > 0)
        {
            employerOk = new bool[Math.Max(1, data.Employers)];
            foreach (var id in query.EmployerIds)
                if (data.TryEmployerCode(id, out var code))
                    employerOk[code] = true;
        }
        // A filter naming only values no datapoint has matches nothing.
        if (roleOk is { Any: false } || levelOk is { Any: false } || regionOk is { Any: false } || sourceOk is { Any: false })
            return BandData.Of(query, [], new Dictionary<string, int>());

        // The rows to visit: the shortest union of posting lists among the filtered dimensions.
        List<RowList>? best = null;
        long bestCount = long.MaxValue;
        var implied = Implied.Nothing;
        void Consider(IEnumerable<RowList?> lists, Implied implies)
        {
            var chosen = new List<RowList>();
            long count = 0;
            foreach (var list in lists)
            {
                if (list is not null)
                {
                    chosen.Add(list);
                    count += list.Count;
                }
            }
            if (count < bestCount)
            {
                best = chosen;
                bestCount = count;
                implied = implies;
            }
        }
        static RowList? At(RowList[] lists, int code) => code >= 0 && code < lists.Length ? lists[code] : null;
        if (employerOk is not null)
            Consider(query.EmployerIds.Select(id => data.TryEmployerCode(id, out var code) ? At(data.ByEmployer, code) : null), Implied.Employer);
        if (roleOk is not null)
            Consider(roleOk.Codes.Select(code => At(data.ByRole, code)), Implied.Role);
        if (regionOk is not null)
        {
            // Role and region together: the filtered roles (or every role) in each region asked for.
            var roles = roleOk?.Codes ?? Enumerable.Range(0, data.Roles.Count).ToList();
            Consider(roles.SelectMany(role => regionOk.Codes.Select(region =>
                data.ByRoleRegion.GetValueOrDefault(IndexData.RoleRegion(role, region)))), Implied.Role | Implied.Region);
        }

        // The work as segments of posting lists (or of all rows), split in two halves when large
        // enough to be worth a second core; each half collects its own cells, merged after.
        var segments = new List<Segment>();
        if (best is null)
            segments.Add(new Segment(null, 0, data.Count));
        else
            // A list of consecutive rows (as compaction leaves a role-and-region list) is read as a range.
            segments.AddRange(best.Select(list => list.IsRange(out var first)
                ? new Segment(null, first, first + list.Count)
                : new Segment(list, 0, list.Count)));
        static long Rows(List<Segment> part) => part.Sum(x => (long)(x.End - x.Start));
        var total = Rows(segments);
        var halves = total >= parallelFrom && Environment.ProcessorCount > 1 ? Split(segments, total) : null;
        // Counting employers as rows come costs a pass over every employer at the end: a single
        // cell counts from as many candidates as employers on, else lists each value's employer
        // and counts those (two random accesses a value). Both halves of a split scan do the same,
        // so their cells merge.
        var employerSlots = total >= data.Employers ? Math.Max(1, data.Employers) : 0;
        Scan NewScan(long expected) =>
            new(data, query, fx, agingRate, (int)Math.Min(expected, Array.MaxLength), employerSlots)
        {
            // Filters the posting lists already guarantee are not tested again.
            RoleOk = (implied & Implied.Role) != 0 ? null : roleOk?.Ok,
            LevelOk = levelOk?.Ok,
            RegionOk = (implied & Implied.Region) != 0 ? null : regionOk?.Ok,
            SourceOk = sourceOk?.Ok,
            EmployerOk = (implied & Implied.Employer) != 0 ? null : employerOk,
        };
        // A single cell's buffer holds its candidates: the first half's takes in the second's.
        var scan = NewScan(total);
        if (halves is null)
            scan.Run(segments);
        else
        {
            var other = NewScan(Rows(halves.Value.Second));
            // The calling thread runs one half and, if no worker has taken it yet, the other too.
            Parallel.Invoke(() => scan.Run(halves.Value.First), () => other.Run(halves.Value.Second));
            scan.Merge(other);
        }
        return BandData.Of(query, scan.Cells(), scan.LeftOut);
    }

    /// <summary>Filters the chosen posting lists satisfy by themselves.</summary>
    [Flags]
    private enum Implied
    {
        Nothing = 0,
        Role = 1,
        Region = 2,
        Employer = 4,
    }

    /// <summary>Rows <see cref="Start"/> to <see cref="End"/> of a posting list, or of all rows when <see cref="List"/> is null.</summary>
    private readonly record struct Segment(RowList? List, int Start, int End);

    private static (List<Segment> First, List<Segment> Second)? Split(List<Segment> segments, long total)
    {
        var first = new List<Segment>();
        var second = new List<Segment>();
        var left = total / 2;
        foreach (var segment in segments)
        {
            var length = segment.End - segment.Start;
            if (left >= length)
            {
                first.Add(segment);
                left -= length;
            }
            else if (left > 0)
            {
                var cut = segment.Start + (int)left;
                first.Add(segment with { End = cut });
                second.Add(segment with { Start = cut });
                left = 0;
            }
            else
                second.Add(segment);
        }
        return (first, second);
    }


    private sealed record DimensionMask(bool[] Ok, List<int> Codes)
    {
        public bool Any => Codes.Count > 0;
    }

    /// <summary>Which codes of a dimension the filter lets through; null when it does not filter.</summary>
    private static DimensionMask? Mask(Dimension dimension, IReadOnlyList<string> values, int offset)
    {
        if (values.Count == 0)
            return null;
        var ok = new bool[dimension.Count + offset];
        var codes = new List<int>();
        foreach (var value in values)
        {
            if (dimension.TryGet(value, out var code))
            {
                ok[code + offset] = true;
                codes.Add(code);
            }
        }
        return new DimensionMask(ok, codes);
    }

    /// <summary>One pass over rows: filters, value, conversion, aging, cell.</summary>
    private sealed class Scan
    {
        private readonly IndexData d;
        private readonly BandQuery q;
        private readonly int component;
        private readonly byte required;
        private readonly int fromDay = int.MinValue;
        private readonly int toDay = int.MaxValue;
        private readonly int verified = -1;

        // FX: per currency code, null when that currency needs no conversion (it is the target),
        // else its plan (null periods when no rate exists: its values are left out).
        private readonly int targetCode;
        private readonly Conversion?[] conversions;
        private readonly FxTable fx;

        // Aging: (1 + r)^(days / 365.25) by day, computed once per distinct day.
        private readonly bool aging;
        private readonly int agedDay;
        private readonly double growth;
        private readonly double[]? agingFactors;

        // Cells: group dimensions, mixed-radix keys, accumulators.
        private readonly GroupDimension[] groups;
        private readonly Cell?[]? cellArray;
        private readonly Dictionary<long, Cell>? cellMap;
        private readonly Cell? single;
        private readonly List<Cell> cells = [];
        private readonly int[]? periodOfDay;

        public bool[]? RoleOk;
        public bool[]? LevelOk;
        public bool[]? RegionOk;
        public bool[]? SourceOk;
        public bool[]? EmployerOk;

        public Dictionary<string, int> LeftOut { get; } = [];
        private int[] leftOutByCode = [];

        // The columns, read once: the row loop then indexes fields, not the index's fields' fields.
        // Columns, not row records: measured on 10M rows, a 1.2M-row posting-list walk took 21 ms
        // over columns and 32 ms over packed 57-byte records (the prefetchers follow each column).
        private readonly byte[] cFlags, cLevel, cSource;
        private readonly ushort[] cRole, cRegion, cCurrency;
        private readonly int[] cEmployer, cDay;
        private readonly double[] cBase, cBonus, cEquity, cRetention, cSignon;

        public Scan(IndexData data, BandQuery query, FxTable fxTable, double agingRate, int expected, int employerSlots)
        {
            d = data;
            (cFlags, cLevel, cSource) = (data.Flags, data.Level, data.Source);
            (cRole, cRegion, cCurrency) = (data.Role, data.Region, data.Currency);
            (cEmployer, cDay) = (data.Employer, data.Day);
            (cBase, cBonus, cEquity, cRetention, cSignon) = (data.Base, data.Bonus, data.Equity, data.Retention, data.Signon);
            q = query;
            fx = fxTable;
            component = (int)query.Component;
            required = query.Component switch
            {
                Component.Bonus => IndexData.HasBonus,
                Component.Equity => IndexData.HasEquity,
                Component.Retention => IndexData.HasRetention,
                Component.Signon => IndexData.HasSignon,
                _ => 0,
            };
            if (query.From is { } from)
                fromDay = from.DayNumber - CellValues.DayZero.DayNumber;
            if (query.To is { } to)
                toDay = to.DayNumber - CellValues.DayZero.DayNumber;
            if (query.Verified is { } v)
                verified = v ? 1 : 0;

            targetCode = data.Currencies.TryGet(query.Currency, out var t) ? t : -1;
            conversions = new Conversion?[data.Currencies.Count];
            leftOutByCode = new int[data.Currencies.Count];

            if (query.AgedTo is { } agedTo && data.MaxDay >= data.MinDay)
            {
                aging = true;
                agedDay = agedTo.DayNumber - CellValues.DayZero.DayNumber;
                growth = 1 + agingRate;
                agingFactors = new double[data.MaxDay - data.MinDay + 1];
                Array.Fill(agingFactors, double.NaN);
            }

            groups = query.GroupBy.Select(key => GroupDimension.For(key, data)).ToArray();
            if (query.GroupBy.Contains(GroupKeys.Period) && data.MaxDay >= data.MinDay)
            {
                periodOfDay = new int[data.MaxDay - data.MinDay + 1];
                var quarters = query.Interval == "quarter";
                var firstYear = CellValues.DayZero.AddDays(data.MinDay).Year;
                for (var day = data.MinDay; day <= data.MaxDay; day++)
                {
                    var date = CellValues.DayZero.AddDays(day);
                    periodOfDay[day - data.MinDay] = quarters ? (date.Year - firstYear) * 4 + (date.Month - 1) / 3 : date.Year - firstYear;
                }
                var periodIndex = Array.FindIndex(groups, g => g.Key == GroupKeys.Period);
                var lastYear = CellValues.DayZero.AddDays(data.MaxDay).Year;
                groups[periodIndex] = new GroupDimension(GroupKeys.Period, quarters ? (lastYear - firstYear + 1) * 4 : lastYear - firstYear + 1,
                    code => quarters ? $"{firstYear + code / 4}-Q{code % 4 + 1}" : (firstYear + code).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            long radix = 1;
            foreach (var g in groups)
            {
                g.Stride = radix;
                radix = checked(radix * Math.Max(1, g.Size));
            }
            if (groups.Length == 0)
                single = NewCell(0, 0, expected, employerSlots);
            else if (radix <= 1 << 16)
                cellArray = new Cell?[radix];
            else
                cellMap = [];
        }

        private Cell NewCell(long key, int row, int capacity = 64, int employerSlots = 0)
        {
            var cell = new Cell(key, row, capacity, employerSlots);
            cells.Add(cell);
            return cell;
        }

        public void Run(List<Segment> segments)
        {
            foreach (var segment in segments)
            {
                if (segment.List is null)
                {
                    for (var r = segment.Start; r < segment.End; r++)
                        Row(r);
                }
                else
                {
                    foreach (var r in segment.List.Rows[segment.Start..segment.End])
                        Row(r);
                }
            }
        }

        /// <summary>Takes in the other half's cells and left-out counts.</summary>
        public void Merge(Scan other)
        {
            for (var c = 0; c < leftOutByCode.Length; c++)
                leftOutByCode[c] += other.leftOutByCode[c];
            foreach (var cell in other.cells)
            {
                Cell? mine;
                if (single is not null)
                    mine = single;
                else if (cellArray is not null)
                    mine = cellArray[cell.Key];
                else
                    mine = cellMap!.GetValueOrDefault(cell.Key);
                if (mine is null)
                {
                    // Adopted whole: released with this scan's cells.
                    cells.Add(cell);
                    if (cellArray is not null)
                        cellArray[cell.Key] = cell;
                    else
                        cellMap![cell.Key] = cell;
                    continue;
                }
                mine.Append(cell);
                cell.Release();
            }
            other.cells.Clear();
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void Row(int r)
        {
            var flags = cFlags[r];
            if ((flags & (required | IndexData.DeletedFlag)) != required)
                return;
            if (verified >= 0 && ((flags & IndexData.VerifiedFlag) != 0 ? 1 : 0) != verified)
                return;
            if (RoleOk is not null && !RoleOk[cRole[r]])
                return;
            if (RegionOk is not null && !RegionOk[cRegion[r]])
                return;
            if (LevelOk is not null && !LevelOk[cLevel[r]])
                return;
            if (EmployerOk is not null && (cEmployer[r] >= EmployerOk.Length || !EmployerOk[cEmployer[r]]))
                return;
            if (SourceOk is not null && !SourceOk[cSource[r]])
                return;
            var day = cDay[r];
            if (day < fromDay || day > toDay)
                return;

            var value = component switch
            {
                (int)Component.Base => cBase[r],
                (int)Component.Bonus => cBonus[r],
                (int)Component.Equity => cEquity[r],
                (int)Component.Retention => cRetention[r],
                (int)Component.Signon => cSignon[r],
                (int)Component.Total => cBase[r] + cBonus[r] + cEquity[r] + cRetention[r],
                _ => cBase[r] + cBonus[r] + cEquity[r] + cRetention[r] + cSignon[r],
            };

            var currency = cCurrency[r];
            var period = -1;
            if (currency != targetCode)
            {
                var conversion = conversions[currency] ??= Conversion.Plan(fx, d.Currencies[currency], q.Currency, d);
                if (conversion.Starts is null)
                {
                    leftOutByCode[currency]++;
                    return;
                }
                period = conversion.PeriodOf(day);
                value = value * conversion.SourceUsd[period] / conversion.TargetUsd[period];
            }
            if (aging)
            {
                ref var factor = ref agingFactors![day - d.MinDay];
                if (double.IsNaN(factor))
                    factor = Math.Pow(growth, (agedDay - day) / 365.25);
                value *= factor;
            }

            Cell cell;
            if (single is not null)
                cell = single;
            else
            {
                long key = 0;
                foreach (var g in groups)
                    key += g.Code(d, r, periodOfDay) * g.Stride;
                if (cellArray is not null)
                    cell = cellArray[key] ??= NewCell(key, r);
                else if (!cellMap!.TryGetValue(key, out cell!))
                    cellMap[key] = cell = NewCell(key, r);
            }
            cell.Add(value, cEmployer[r], day);
            if (period >= 0)
                cell.UsePeriod(currency, conversions[currency]!, period);
        }

        /// <summary>The cells in the SQL store's order (by group labels, ordinal, nulls last), with their counts.</summary>
        public List<CellValues> Cells()
        {
            for (var c = 0; c < leftOutByCode.Length; c++)
                if (leftOutByCode[c] > 0)
                    LeftOut[d.Currencies[c]] = leftOutByCode[c];

            var counts = ArrayPool<int>.Shared.Rent(Math.Max(1, d.Employers));
            counts.AsSpan().Clear(); // a rented array holds what its last user left
            try
            {
                var result = new List<(string?[] Labels, CellValues Values)>(cells.Count);
                foreach (var cell in cells)
                {
                    if (cell.Count == 0)
                        continue;
                    var labels = new string?[groups.Length];
                    var group = new Dictionary<string, string?>(groups.Length);
                    for (var i = 0; i < groups.Length; i++)
                    {
                        labels[i] = groups[i].Label(d, cell.Row, periodOfDay);
                        group[q.GroupBy[i]] = labels[i];
                    }
                    result.Add((labels, cell.Build(group, counts)));
                }
                result.Sort((a, b) => CompareLabels(a.Labels, b.Labels));
                return result.Select(c => c.Values).ToList();
            }
            finally
            {
                ArrayPool<int>.Shared.Return(counts);
                foreach (var cell in cells)
                    cell.Release();
            }
        }

        private static int CompareLabels(string?[] a, string?[] b)
        {
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] == b[i])
                    continue;
                if (a[i] is null)
                    return 1; // nulls last, as PostgreSQL orders ascending
                if (b[i] is null)
                    return -1;
                var c = string.CompareOrdinal(a[i], b[i]);
                if (c != 0)
                    return c;
            }
            return 0;
        }
    }

    /// <summary>A group key: its code for a row, how many codes it has, its label.</summary>
    private sealed class GroupDimension(string key, int size, Func<int, string?> label)
    {
        private readonly int kind = key switch
        {
            GroupKeys.Employer => 0,
            GroupKeys.Role => 1,
            GroupKeys.Level => 2,
            GroupKeys.Region => 3,
            _ => 4,
        };

        public string Key { get; } = key;
        public int Size { get; } = size;
        public long Stride { get; set; }

        public static GroupDimension For(string key, IndexData data) => key switch
        {
            GroupKeys.Employer => new(key, data.Employers, code => data.EmployerSlugs[code]),
            GroupKeys.Role => new(key, data.Roles.Count, code => data.Roles[code]),
            GroupKeys.Level => new(key, data.Levels.Count + 1, code => code == 0 ? null : data.Levels[code - 1]),
            GroupKeys.Region => new(key, data.Regions.Count, code => data.Regions[code]),
            GroupKeys.Period => new(key, 1, _ => null), // replaced once the day range is known
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
        };

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public long Code(IndexData d, int row, int[]? periodOfDay) => kind switch
        {
            0 => d.Employer[row],
            1 => d.Role[row],
            2 => d.Level[row],
            3 => d.Region[row],
            _ => periodOfDay![d.Day[row] - d.MinDay],
        };

        public string? Label(IndexData d, int row, int[]? periodOfDay) => label((int)Code(d, row, periodOfDay));
    }

    /// <summary>
    /// How values of one currency reach the target: the periods where both its rate and the
    /// target's hold (each rate from its date until the next, the earliest also before it).
    /// </summary>
    private sealed class Conversion
    {
        public int[]? Starts;
        public double[] SourceUsd = [];
        public double[] TargetUsd = [];
        public RateUsed?[] SourceRate = [];
        public RateUsed?[] TargetRate = [];
        private int[]? byDay;
        private int firstDay;

        public static Conversion Plan(FxTable fx, string source, string target, IndexData data)
        {
            var s = fx.Periods(source);
            var t = fx.Periods(target);
            var plan = new Conversion();
            if (s is null || t is null)
                return plan;
            var starts = s.Select(p => p.Start).Concat(t.Select(p => p.Start)).Distinct().Order().ToArray();
            plan.Starts = starts;
            plan.SourceUsd = new double[starts.Length];
            plan.TargetUsd = new double[starts.Length];
            plan.SourceRate = new RateUsed?[starts.Length];
            plan.TargetRate = new RateUsed?[starts.Length];
            for (var i = 0; i < starts.Length; i++)
            {
                var sp = s[Last(s, starts[i])];
                var tp = t[Last(t, starts[i])];
                plan.SourceUsd[i] = sp.Usd;
                plan.TargetUsd[i] = tp.Usd;
                plan.SourceRate[i] = sp.Rate is { } sr ? new RateUsed(sr.Currency, CellValues.DayZero.AddDays(sr.Day), sr.UsdPerUnit) : null;
                plan.TargetRate[i] = tp.Rate is { } tr ? new RateUsed(tr.Currency, CellValues.DayZero.AddDays(tr.Day), tr.UsdPerUnit) : null;
            }
            // Looking a day up in a table beats a binary search per row on large cuts.
            if (data.MaxDay >= data.MinDay && data.MaxDay - data.MinDay < 1 << 20)
            {
                plan.firstDay = data.MinDay;
                plan.byDay = new int[data.MaxDay - data.MinDay + 1];
                for (var i = 0; i < plan.byDay.Length; i++)
                    plan.byDay[i] = plan.Search(data.MinDay + i);
            }
            return plan;
        }

        private static int Last((int Start, double Usd, FxRate? Rate)[] periods, int day)
        {
            var found = 0;
            for (var i = 0; i < periods.Length && periods[i].Start <= day; i++)
                found = i;
            return found;
        }

        private int Search(int day)
        {
            int lo = 0, hi = Starts!.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) >> 1;
                if (Starts[mid] <= day)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            return lo;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public int PeriodOf(int day)
        {
            var at = day - firstDay;
            return byDay is not null && (uint)at < (uint)byDay.Length ? byDay[at] : Search(day);
        }
    }

    /// <summary>One cell's values (unsorted), employers, day sum and the FX periods it used.</summary>
    /// <remarks>
    /// A cell counts its employers as it goes when given <c>employerSlots</c> (a single cell: one
    /// array of counts by employer code), else it lists each value's employer and counts them at the
    /// end. Its values' buffer is rented and handed on as it is (<see cref="CellValues.Pooled"/>):
    /// no copy, and no fresh memory to fault in per request; the band service returns it.
    /// </remarks>
    private sealed class Cell(long key, int row, int capacity, int employerSlots = 0)
    {
        public long Key { get; } = key;
        /// <summary>A row of the cell, to read its labels from.</summary>
        public int Row { get; } = row;
        public int Count;
        private double[] values = ArrayPool<double>.Shared.Rent(Math.Max(64, capacity));
        private int[] employers = employerSlots > 0 ? [] : ArrayPool<int>.Shared.Rent(Math.Max(64, capacity));
        private int[]? employerCounts = employerSlots > 0 ? RentCleared(employerSlots) : null;
        private long daySum;
        // The FX periods used, by currency code: a flag per period of that currency's conversion
        // (a store per row; a set per cell cost more than the conversion itself).
        private bool[]?[]? periods;
        private Conversion?[]? periodConversions;

        private static int[] RentCleared(int length)
        {
            var counts = ArrayPool<int>.Shared.Rent(length);
            counts.AsSpan().Clear(); // a rented array holds what its last user left
            return counts;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Add(double value, int employer, int day)
        {
            if (Count == values.Length)
                Grow();
            values[Count] = value;
            if (employerCounts is not null)
                employerCounts[employer]++;
            else
                employers[Count] = employer;
            Count++;
            daySum += day;
        }

        private void Grow()
        {
            var size = values.Length * 2;
            var v = ArrayPool<double>.Shared.Rent(size);
            values.AsSpan(0, Count).CopyTo(v);
            ArrayPool<double>.Shared.Return(values);
            values = v;
            if (employerCounts is null)
            {
                var e = ArrayPool<int>.Shared.Rent(size);
                employers.AsSpan(0, Count).CopyTo(e);
                ArrayPool<int>.Shared.Return(employers);
                employers = e;
            }
        }

        public void Append(Cell other)
        {
            while (values.Length < Count + other.Count)
                Grow();
            other.values.AsSpan(0, other.Count).CopyTo(values.AsSpan(Count));
            if (employerCounts is not null)
            {
                var theirs = other.employerCounts!;
                for (var e = 0; e < employerSlots; e++)
                    employerCounts[e] += theirs[e];
            }
            else
                other.employers.AsSpan(0, other.Count).CopyTo(employers.AsSpan(Count));
            Count += other.Count;
            daySum += other.daySum;
            if (other.periods is not null)
            {
                for (var c = 0; c < other.periods.Length; c++)
                {
                    if (other.periods[c] is not { } used)
                        continue;
                    for (var p = 0; p < used.Length; p++)
                        if (used[p])
                            UsePeriod(c, other.periodConversions![c]!, p);
                }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void UsePeriod(int currency, Conversion conversion, int period)
        {
            if (periods is not null && (uint)currency < (uint)periods.Length && periods[currency] is { } used)
                used[period] = true;
            else
                FirstPeriod(currency, conversion, period);
        }

        private void FirstPeriod(int currency, Conversion conversion, int period)
        {
            if (periods is null || currency >= periods.Length)
            {
                Array.Resize(ref periods, Math.Max(currency + 1, 4));
                Array.Resize(ref periodConversions, periods.Length);
            }
            periods[currency] = new bool[conversion.Starts!.Length];
            periodConversions![currency] = conversion;
            periods[currency]![period] = true;
        }

        public CellValues Build(IReadOnlyDictionary<string, string?> group, int[] counts)
        {
            var distinct = 0;
            var largest = 0;
            if (employerCounts is not null)
            {
                foreach (var c in employerCounts.AsSpan(0, employerSlots))
                {
                    if (c > 0)
                        distinct++;
                    if (c > largest)
                        largest = c;
                }
            }
            else
            {
                var span = employers.AsSpan(0, Count);
                foreach (var e in span)
                {
                    var c = ++counts[e];
                    if (c == 1)
                        distinct++;
                    if (c > largest)
                        largest = c;
                }
                foreach (var e in span)
                    counts[e] = 0;
            }

            var handed = values; // the service returns it to the pool, not this cell
            values = [];
            var rates = new HashSet<RateUsed>();
            if (periods is not null)
            {
                for (var c = 0; c < periods.Length; c++)
                {
                    if (periods[c] is not { } used)
                        continue;
                    var conversion = periodConversions![c]!;
                    for (var p = 0; p < used.Length; p++)
                    {
                        if (!used[p])
                            continue;
                        if (conversion.SourceRate[p] is { } s)
                            rates.Add(s);
                        if (conversion.TargetRate[p] is { } t)
                            rates.Add(t);
                    }
                }
            }
            return new CellValues(group, handed, new CellCounts(Count, distinct, largest))
            {
                Pooled = handed.Length > 0,
                MeanEffectiveDate = CellValues.MeanDate(daySum, Count),
                Rates = rates,
            };
        }

        public void Release()
        {
            if (values.Length > 0)
                ArrayPool<double>.Shared.Return(values);
            if (employerCounts is not null)
                ArrayPool<int>.Shared.Return(employerCounts);
            else
                ArrayPool<int>.Shared.Return(employers);
            values = [];
            employers = [];
            employerCounts = null;
        }
    }
}
