using System.Globalization;

namespace Comp.Statistics.Privacy;

/// <summary>
/// A public grid of bins on a log scale: edges Lower·Ratioⁱ (rounded to cents) from
/// <see cref="Lower"/> until one reaches <see cref="Upper"/>. It is fixed in advance, never fitted
/// to data, so the bins a release counts into reveal nothing themselves. A value below the second
/// edge falls in the first bin (everything under <see cref="Lower"/> included), one at or above the
/// last bin's lower edge in the last (everything above <see cref="Upper"/> included); bin i holds
/// [edgeᵢ, edgeᵢ₊₁) otherwise.
/// </summary>
/// <remarks>
/// The ratio sets what an attacker who pins a value to its bin knows: the bin's width. A value
/// spread evenly in log over a bin of ratio r is within ±0.5% of any one guess with probability
/// ln(1.005/0.995)/ln r: 10.5% for r = 1.10, 7.2% for r = 1.15.
/// Edges are computed in decimal (exact, the same on every machine) and rounded to cents.
/// </remarks>
public sealed class LogGrid
{
    /// <summary>USD 1,000 to 100,000,000 in steps of 15%: 83 bins.</summary>
    public static LogGrid Default { get; } = new(1_000m, 100_000_000m, 1.15m);

    private readonly double[] _edges;
    private readonly double[] _logEdges;

    // Bin finds a value's bin from its double's exponent and top mantissa bits (a slot): the table
    // gives the bin of the slot's smallest value, and the slots are fine enough (at least 6 bits,
    // more for a ratio below 1 + 2^−6) that one comparison with the next edge settles the rest.
    // No logarithm and no search: a few nanoseconds a value, on the path of every datapoint.
    private readonly int[] _slotBins;
    private readonly long _firstSlot;
    private readonly int _slotShift;

    public LogGrid(decimal lower, decimal upper, decimal ratio)
    {
        if (lower < 1m)
            throw new ArgumentOutOfRangeException(nameof(lower), lower, "The grid starts at 1 or more.");
        if (upper <= lower)
            throw new ArgumentOutOfRangeException(nameof(upper), upper, "The grid's upper bound lies above its lower bound.");
        if (ratio < 1.001m || ratio > 10m)
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A bin's ratio lies between 1.001 and 10.");
        Lower = lower;
        Upper = upper;
        Ratio = ratio;

        var edges = new List<double> { (double)lower };
        for (var exact = lower; exact < upper;)
        {
            exact *= ratio;
            var edge = (double)Math.Round(exact, 2, MidpointRounding.AwayFromZero);
            if (edge <= edges[^1])
                throw new ArgumentException($"Edges {edges[^1]} and {edge} are less than a cent apart: raise the lower bound or the ratio.", nameof(ratio));
            edges.Add(edge);
            if (edges.Count > 100_000)
                throw new ArgumentException("The grid would have more than 100,000 bins.", nameof(ratio));
        }
        _edges = [.. edges];
        _logEdges = [.. _edges.Select(edge => Math.Log(edge))];

        for (var slotBits = 6; ; slotBits++)
        {
            if (slotBits > 24)
                throw new ArgumentException("The edges are too close for the lookup table: raise the lower bound or the ratio.", nameof(ratio));
            _slotShift = 52 - slotBits;
            _firstSlot = Slot(_edges[0]);
            // One slot more than the values inside the grid reach: the last one bounds the one before.
            var bins = new int[Slot(_edges[^1]) - _firstSlot + 2];
            for (var i = 0; i < bins.Length; i++)
                bins[i] = BinarySearch(BitConverter.Int64BitsToDouble((_firstSlot + i) << _slotShift));
            var oneStep = true;
            for (var i = 1; i < bins.Length && oneStep; i++)
                oneStep = bins[i] - bins[i - 1] <= 1;
            if (oneStep)
            {
                _slotBins = bins;
                break;
            }
        }
    }

    /// <summary>The first edge: values below it share the first bin.</summary>
    public decimal Lower { get; }

    /// <summary>The grid ends at the first edge at or above this: values above it share the last bin.</summary>
    public decimal Upper { get; }

    /// <summary>Each edge is this times the one before it (before rounding to cents).</summary>
    public decimal Ratio { get; }

    /// <summary>The number of bins.</summary>
    public int Count => _edges.Length - 1;

    /// <summary>The Count + 1 edges, ascending: bin i spans [Edges[i], Edges[i + 1]).</summary>
    public ReadOnlySpan<double> Edges => _edges;

    /// <summary>The natural logarithms of <see cref="Edges"/>, for interpolation on the log scale.</summary>
    public ReadOnlySpan<double> LogEdges => _logEdges;

    /// <summary>The bin's geometric centre, √(lower edge · upper edge).</summary>
    public double Centre(int bin) => Math.Exp((_logEdges[bin] + _logEdges[bin + 1]) / 2);

    /// <summary>The bin holding <paramref name="value"/> (not NaN): see the class summary for the ends.</summary>
    public int Bin(double value)
    {
        if (value < _edges[1])
            return 0;
        if (!(value < _edges[^2]))
            return double.IsNaN(value) ? throw new ArgumentException("NaN has no bin.", nameof(value)) : Count - 1;
        // value is positive and inside the table's range here.
        var bin = _slotBins[Slot(value) - _firstSlot];
        return value >= _edges[bin + 1] ? bin + 1 : bin;
    }

    /// <summary>Counts <paramref name="values"/> into their bins: the exact histogram a release adds noise to.</summary>
    public int[] Histogram(ReadOnlySpan<double> values)
    {
        var counts = new int[Count];
        foreach (var value in values)
            counts[Bin(value)]++;
        return counts;
    }

    /// <summary>For methodology text.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} log-scale bins, each edge {Ratio} times the one before, from {Lower:0.##} to {_edges[^1]:0.##} (values outside go to the end bins)");

    private long Slot(double positive) => BitConverter.DoubleToInt64Bits(positive) >> _slotShift;

    /// <summary>The bin of a value by binary search over the edges: the reference <see cref="Bin"/> agrees with.</summary>
    private int BinarySearch(double value)
    {
        int lo = 0, hi = Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (value >= _edges[mid])
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    }
}
