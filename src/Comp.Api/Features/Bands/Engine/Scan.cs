using System.Runtime.CompilerServices;
using Comp.Statistics;
using Comp.Statistics.Privacy;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// One pass over rows: each row is tested against the filters, its component value computed
/// (<see cref="Components.Of{T}"/>, with its grants' shares of year K for yearK), converted (<see cref="FxConversion"/>), aged
/// (<see cref="Aging"/>) and added to its cell (<see cref="CellAccumulator"/>, keyed by
/// <see cref="CellKey"/>). Two scans over halves of the rows merge.
/// </summary>
internal sealed class Scan
{
    private readonly IndexData data;
    private readonly BandQuery query;
    private readonly Component component;
    private readonly byte required;
    private readonly int verified, fromDay, toDay;
    private readonly (float[] Column, float Min, float Max)[] ranges;
    // Filters the plan's posting lists do not already guarantee; null: not tested.
    private readonly bool[]? roleOk, regionOk, levelOk, sourceOk, employerOk;

    // Per profile code (Profiles): whether it passes the basis and package filters, its basis, and
    // for yearK each grant's share of its annual value in year K. Null: not needed.
    private readonly bool[]? basisOk, packageOk;
    private readonly byte[]? basisOf;
    private readonly int year;
    private readonly double[]? equityShares, retentionShares;
    private readonly bool readsProfile;
    // Cells count their datapoints per equity basis (a query that does not pin one basis).
    private readonly bool countBases;
    // Cells note the vesting their grants follow (yearK, exact tier: the methodology names it).
    private readonly bool noteVesting;

    // FX: per currency code, the plan to the target (made on first use); the target needs none.
    private readonly int targetCode;
    private readonly FxConversion?[] conversions;
    private readonly FxTable fx;
    private readonly int[] leftOutByCode;

    // Aging: the factor by day, computed once per distinct day.
    private readonly bool aging;
    private readonly int agedDay;
    private readonly double agingRate;
    private readonly double[]? agingFactors;

    private readonly CellKey keys;
    private readonly CellAccumulator? single;
    private readonly CellAccumulator?[]? cellArray;
    private readonly Dictionary<long, CellAccumulator>? cellMap;
    private readonly List<CellAccumulator> cells = [];

    // The columns, read once: the row loop then indexes arrays, not the data's fields.
    private readonly byte[] flagsColumn, levelColumn, sourceColumn, currencyColumn;
    private readonly ushort[] roleColumn, regionColumn, profileColumn;
    private readonly int[] employerColumn, dayColumn;
    private readonly Guid[] idColumn;
    // Protected queries only: the tags whose sum is a cell's contents fingerprint.
    private readonly ContentTags? tagger;
    private readonly double[] baseColumn, bonusColumn, equityColumn, retentionColumn, signonColumn;

    public Scan(IndexData data, BandQuery query, FxTable fx, double agingRate, RowFilters filters, Plan plan, CellKey keys, int expected, int employerSlots)
    {
        this.data = data;
        this.query = query;
        this.fx = fx;
        (required, verified, fromDay, toDay, ranges) = (filters.Required, filters.Verified, filters.FromDay, filters.ToDay, filters.Ranges);
        this.agingRate = agingRate;
        component = query.Component;
        (flagsColumn, levelColumn, sourceColumn, currencyColumn) = (data.Flags, data.Level, data.Source, data.Currency);
        (roleColumn, regionColumn, profileColumn) = (data.Role, data.Region, data.Profile);
        (employerColumn, dayColumn, idColumn) = (data.Employer, data.Day, data.Ids);
        tagger = query.Protected ? data.Tagger ?? throw new InvalidOperationException("Band data without content tags cannot answer protected queries.") : null;
        (baseColumn, bonusColumn, equityColumn, retentionColumn, signonColumn) = (data.Base, data.Bonus, data.Equity, data.Retention, data.Signon);
        roleOk = plan.ImpliesRole ? null : filters.Roles?.Ok;
        regionOk = plan.ImpliesRegion ? null : filters.Regions?.Ok;
        employerOk = plan.ImpliesEmployer ? null : filters.Employers;
        levelOk = filters.Levels?.Ok;
        sourceOk = filters.Sources?.Ok;
        countBases = query.CellsMayMixBases;
        year = Components.YearOf(component);
        noteVesting = year > 0 && !query.Protected;
        // Every code a row visible to this query holds is in the table as of now (rows are written after their codes).
        var profiles = data.Profiles.Entries;
        if (filters.Bases is { } bases)
            basisOk = profiles.Select(p => bases[p.Basis]).ToArray();
        if (filters.Packages is { } packages)
            packageOk = profiles.Select(p => packages[p.Package]).ToArray();
        if (year > 0)
        {
            equityShares = profiles.Select(p => p.EquityShares[year - 1]).ToArray();
            retentionShares = profiles.Select(p => p.RetentionShares[year - 1]).ToArray();
        }
        if (countBases)
            basisOf = profiles.Select(p => p.Basis).ToArray();
        readsProfile = basisOk is not null || packageOk is not null || year > 0 || countBases;

        targetCode = data.Currencies.TryGet(query.Currency, out var t) ? t : -1;
        conversions = new FxConversion?[data.Currencies.Count];
        leftOutByCode = new int[data.Currencies.Count];
        if (query.AgedTo is { } agedTo && data.MaxDay >= data.MinDay)
        {
            aging = true;
            agedDay = Days.Of(agedTo);
            agingFactors = new double[data.MaxDay - data.MinDay + 1];
            Array.Fill(agingFactors, double.NaN);
        }

        this.keys = keys;
        if (keys.Count == 0)
            single = NewCell(0, 0, expected, employerSlots);
        else if (keys.Cells <= 1 << 16)
            cellArray = new CellAccumulator?[keys.Cells];
        else
            cellMap = [];
    }

    private CellAccumulator NewCell(long key, int row, int capacity = 64, int employerSlots = 0)
    {
        var cell = new CellAccumulator(key, row, capacity, employerSlots, countBases, query.Weighting == Weighting.Company);
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
        // The halves may have sized their arrays at different currency counts (a name can be added
        // while readers read); a code past either count is on no row they saw.
        for (var c = 0; c < Math.Min(leftOutByCode.Length, other.leftOutByCode.Length); c++)
            leftOutByCode[c] += other.leftOutByCode[c];
        foreach (var cell in other.cells)
        {
            CellAccumulator? mine;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Row(int r)
    {
        var flags = flagsColumn[r];
        if ((flags & (required | IndexData.DeletedFlag)) != required)
            return;
        if (verified >= 0 && ((flags & IndexData.VerifiedFlag) != 0 ? 1 : 0) != verified)
            return;
        if (roleOk is not null && !roleOk[roleColumn[r]])
            return;
        if (regionOk is not null && !regionOk[regionColumn[r]])
            return;
        if (levelOk is not null && !levelOk[levelColumn[r]])
            return;
        if (employerOk is not null && (employerColumn[r] >= employerOk.Length || !employerOk[employerColumn[r]]))
            return;
        if (sourceOk is not null && !sourceOk[sourceColumn[r]])
            return;
        var profile = 0;
        if (readsProfile)
        {
            profile = profileColumn[r];
            if (profile == Profiles.Overflow)
                profile = data.ProfileOverflow[r];
            if (basisOk is not null && !basisOk[profile])
                return;
            if (packageOk is not null && !packageOk[profile])
                return;
        }
        var day = dayColumn[r];
        if (day < fromDay || day > toDay)
            return;
        if (ranges.Length > 0 && !InRanges(r))
            return;

        double equityShare = 1, retentionShare = 1;
        if (year > 0)
            (equityShare, retentionShare) = (equityShares![profile], retentionShares![profile]);
        var value = Components.Of(component, baseColumn[r], bonusColumn[r], equityColumn[r], retentionColumn[r], signonColumn[r], equityShare, retentionShare);
        var currency = currencyColumn[r];
        var period = -1;
        FxConversion? conversion = null;
        if (currency != targetCode)
        {
            conversion = conversions[currency] ??= FxConversion.Plan(fx, data.Currencies[currency], query.Currency, data.MinDay, data.MaxDay);
            if (conversion.Starts is null)
            {
                leftOutByCode[currency]++;
                return;
            }
            period = conversion.PeriodOf(day);
            value = conversion.Convert(value, period);
        }
        if (aging)
        {
            ref var factor = ref agingFactors![day - data.MinDay];
            if (double.IsNaN(factor))
                factor = Aging.Factor(agingRate, agedDay - day);
            value *= factor;
        }

        CellAccumulator cell;
        if (single is not null)
            cell = single;
        else
        {
            var key = keys.Key(r);
            if (cellArray is not null)
                cell = cellArray[key] ??= NewCell(key, r);
            else if (!cellMap!.TryGetValue(key, out cell!))
                cellMap[key] = cell = NewCell(key, r);
        }
        cell.Add(value, employerColumn[r], day);
        if (tagger is not null)
            cell.AddTag(tagger.Of(idColumn[r]));
        if (countBases)
            cell.AddBasis(basisOf![profile]);
        if (noteVesting)
            cell.NoteVesting(profile, flags);
        if (period >= 0)
            cell.UsePeriod(currency, conversion!, period);
    }

    /// <summary>Whether row <paramref name="r"/> falls in every range filter (NaN, an absent value, falls in none).</summary>
    private bool InRanges(int r)
    {
        foreach (var (column, min, max) in ranges)
        {
            var v = column[r];
            if (!(v >= min && v <= max))
                return false;
        }
        return true;
    }

    /// <summary>The datapoints left out for want of a rate, by currency.</summary>
    public Dictionary<string, int> LeftOut()
    {
        var leftOut = new Dictionary<string, int>();
        for (var c = 0; c < leftOutByCode.Length; c++)
            if (leftOutByCode[c] > 0)
                leftOut[data.Currencies[c]] = leftOutByCode[c];
        return leftOut;
    }

    /// <summary>The cells with data in <see cref="CellOrder"/>, with their counts; the scan's buffers pass to them or back to the pool.</summary>
    public List<CellValues> Cells()
    {
        var counts = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, data.Employers));
        counts.AsSpan().Clear(); // a rented array holds what its last user left
        try
        {
            var result = new List<(string?[] Labels, CellValues Values)>(cells.Count);
            foreach (var cell in cells)
            {
                if (cell.Count == 0)
                    continue;
                var labels = keys.Labels(cell.Row);
                var group = new Dictionary<string, string?>(labels.Length);
                for (var i = 0; i < labels.Length; i++)
                    group[query.GroupBy[i]] = labels[i];
                result.Add((labels, cell.Build(group, counts, data.Profiles.Entries)));
            }
            result.Sort((a, b) => CellOrder.Compare(a.Labels, b.Labels));
            return result.Select(c => c.Values).ToList();
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(counts);
            foreach (var cell in cells)
                cell.Release();
        }
    }
}
