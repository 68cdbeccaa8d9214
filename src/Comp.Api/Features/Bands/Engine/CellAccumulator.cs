using System.Buffers;
using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>One cell's values (unsorted), employers, day sum and the FX periods it used.</summary>
/// <remarks>
/// A cell counts its employers as it goes when given <c>employerSlots</c> (a single cell: one
/// array of counts by employer code), else it lists each value's employer and counts them at the
/// end. Its values' buffer is rented and handed on as it is to the cell's
/// <see cref="CellValues"/>, which returns it when disposed: no copy, and no fresh memory to fault in per request.
/// </remarks>
/// <remarks>
/// A company-weighted cell (<paramref name="companyWeighted"/>) is always given no slots, so it
/// lists each value's employer; its <see cref="Build"/> computes the employers' medians. The
/// incumbent cell's row loop (<see cref="Add"/>) is the same either way.
/// </remarks>
internal sealed class CellAccumulator(long key, int row, int capacity, int employerSlots = 0, bool countBases = false, bool companyWeighted = false)
{
    public long Key { get; } = key;
    /// <summary>A row of the cell, to read its labels from.</summary>
    public int Row { get; } = row;
    public int Count;
    private double[] values = ArrayPool<double>.Shared.Rent(Math.Max(64, capacity));
    private int[] employers = employerSlots > 0 ? [] : ArrayPool<int>.Shared.Rent(Math.Max(64, capacity));
    private int[]? employerCounts = employerSlots > 0 ? RentCleared(employerSlots) : null;
    private long daySum;
    private ulong tagSum;
    // Datapoints per equity basis code, when the cell may mix bases.
    private readonly int[]? basisCounts = countBases ? new int[EquityBases.Codes] : null;
    // The vesting codes of the rows with an equity grant, and with a retention grant (yearK, exact tier).
    private HashSet<int>? equityVesting, retentionVesting;
    private int lastEquityVesting = -1, lastRetentionVesting = -1;
    // The FX periods used, by currency code: a flag per period of that currency's conversion
    // (a store per row; a set per cell cost more than the conversion itself).
    private bool[]?[]? periods;
    private FxConversion?[]? periodConversions;

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

    /// <summary>Adds a row's content tag to the cell's fingerprint (protected queries only).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddTag(ulong tag) => tagSum += tag;

    /// <summary>Counts a row's equity basis (cells that may mix bases).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddBasis(byte basis) => basisCounts![basis]++;

    /// <summary>Notes the profile code (<see cref="Profiles"/>: its grants' vesting) of a row, for each grant it carries (<paramref name="flags"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void NoteVesting(int code, byte flags)
    {
        // Rows in a cell mostly share one vesting: the set is touched only when it changes.
        if ((flags & IndexData.HasEquity) != 0 && code != lastEquityVesting)
            (equityVesting ??= []).Add(lastEquityVesting = code);
        if ((flags & IndexData.HasRetention) != 0 && code != lastRetentionVesting)
            (retentionVesting ??= []).Add(lastRetentionVesting = code);
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

    public void Append(CellAccumulator other)
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
        tagSum += other.tagSum;
        if (basisCounts is not null)
            for (var b = 0; b < basisCounts.Length; b++)
                basisCounts[b] += other.basisCounts![b];
        if (other.equityVesting is not null)
            (equityVesting ??= []).UnionWith(other.equityVesting);
        if (other.retentionVesting is not null)
            (retentionVesting ??= []).UnionWith(other.retentionVesting);
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
    public void UsePeriod(int currency, FxConversion conversion, int period)
    {
        if (periods is not null && (uint)currency < (uint)periods.Length && periods[currency] is { } used)
            used[period] = true;
        else
            FirstPeriod(currency, conversion, period);
    }

    private void FirstPeriod(int currency, FxConversion conversion, int period)
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

    public CellValues Build(IReadOnlyDictionary<string, string?> group, int[] counts, IReadOnlyList<Profiles.Entry> vesting)
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

        var handed = values; // the CellValues returns it to the pool, not this accumulator
        values = [];
        double[]? rowValues = null;
        var cellCounts = new CellCounts(Count, distinct, largest);
        if (companyWeighted && Count > 0)
        {
            // The medians become the cell's values; the datapoints' values stay with it for the work charge.
            rowValues = handed;
            handed = EmployerMedians(rowValues, counts, distinct);
            cellCounts = new CellCounts(distinct, distinct, 1);
        }
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
        return new CellValues(group, handed, cellCounts, pooled: handed.Length > 0, rowValues, Count)
        {
            MeanEffectiveDate = Days.Mean(daySum, Count),
            Fingerprint = tagSum,
            Rates = rates,
            BasisCounts = basisCounts,
            EquityVesting = equityVesting?.Select(c => vesting[c].Equity).ToHashSet() ?? [],
            RetentionVesting = retentionVesting?.Select(c => vesting[c].Retention).ToHashSet() ?? [],
        };
    }

    /// <summary>The employers' type-7 medians of <paramref name="rowValues"/>, in a pooled buffer; <paramref name="slots"/> is all zero before and after.</summary>
    private double[] EmployerMedians(double[] rowValues, int[] slots, int distinct)
    {
        var grouped = ArrayPool<double>.Shared.Rent(Count);
        var order = ArrayPool<int>.Shared.Rent(distinct);
        var medians = ArrayPool<double>.Shared.Rent(distinct);
        try
        {
            Weightings.EmployerMedians(rowValues.AsSpan(0, Count), employers.AsSpan(0, Count), slots, grouped, order, medians);
            return medians;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(grouped);
            ArrayPool<int>.Shared.Return(order);
        }
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
