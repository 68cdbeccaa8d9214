using System.Buffers;
using System.Numerics;

namespace Comp.Statistics;

/// <summary>
/// Order statistics of unsorted values without sorting them: a multi-quickselect that places the
/// values of a few ranks where a sort would put them, in O(n log m) for m ranks.
/// </summary>
public static class Selection
{
    // Below this a range is sorted by insertion: partitioning it would cost more than it saves.
    private const int InsertionSortLength = 16;

    // A pivot from nine samples (Tukey's ninther) pays for itself above this length.
    private const int NintherLength = 128;

    private const int StackRanks = 128;

    /// <summary>
    /// Rearranges <paramref name="values"/> so that, for every rank r in <paramref name="ranks"/>
    /// (0-based, any order, duplicates allowed), <c>values[r]</c> is the r-th smallest value: what
    /// it would be after sorting. Values must not be NaN. The other positions hold the remaining
    /// values in no particular order.
    /// </summary>
    public static void SelectRanks(Span<double> values, ReadOnlySpan<int> ranks)
    {
        CheckRanks(values.Length, ranks);
        if (ranks.IsEmpty)
            return;
        // Many ranks leave little to skip: one sort is simpler and as fast.
        if (ranks.Length > values.Length / 8)
        {
            values.Sort();
            return;
        }

        int[]? rented = null;
        Span<int> buffer = ranks.Length <= StackRanks
            ? stackalloc int[StackRanks]
            : rented = ArrayPool<int>.Shared.Rent(ranks.Length);
        try
        {
            var wanted = SortedDistinct(ranks, buffer);

            // Past this depth the pivots are failing (an adversarial or unlucky order): the range is
            // sorted instead, which keeps the worst case at O(n log n).
            var depthLimit = 2 * (BitOperations.Log2((uint)values.Length) + 1);
            Select(values, 0, wanted, depthLimit);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<int>.Shared.Return(rented);
        }
    }

    // From this many values WriteRanks buckets them by a radix histogram before selecting.
    private const int RadixFrom = 1 << 15;
    private const int RadixBits = 16;

    /// <summary>
    /// Writes the r-th smallest value to <c>values[r]</c> for every rank r in <paramref name="ranks"/>
    /// (what it would be after sorting), like <see cref="SelectRanks"/>, but the other positions are
    /// not kept a permutation: afterwards they hold an unspecified mix of the values. Values must
    /// not be NaN. From 32,768 values on: a histogram of 65,536 buckets over the values'
    /// order-preserving bit patterns (between the smallest and the largest) tells which bucket holds
    /// each rank; the values of those few buckets are gathered and selected among themselves. Three
    /// reading passes and no swaps, instead of a partition's swapping passes per level. Smaller
    /// spans, or more than 64 ranks, go to <see cref="SelectRanks"/>.
    /// </summary>
    public static void WriteRanks(Span<double> values, ReadOnlySpan<int> ranks)
    {
        if (values.Length < RadixFrom || ranks.Length > StackRanks / 2)
        {
            SelectRanks(values, ranks);
            return;
        }
        CheckRanks(values.Length, ranks);
        if (ranks.IsEmpty)
            return;
        Span<int> wanted = SortedDistinct(ranks, stackalloc int[ranks.Length]);

        ulong lo = ulong.MaxValue, hi = 0;
        foreach (var value in values)
        {
            var key = Key(value);
            lo = key < lo ? key : lo;
            hi = key > hi ? key : hi;
        }
        if (lo == hi)
        {
            var only = values[0];
            foreach (var rank in wanted)
                values[rank] = only;
            return;
        }
        // Buckets of equal width in key space: (key − lo) >> shift is below 2^RadixBits.
        var shift = Math.Max(0, 64 - BitOperations.LeadingZeroCount(hi - lo) - RadixBits);
        const int buckets = 1 << RadixBits;
        var histogram = ArrayPool<int>.Shared.Rent(buckets);
        double[]? gathered = null;
        try
        {
            var counts = histogram.AsSpan(0, buckets);
            counts.Clear();
            foreach (var value in values)
                counts[(int)((Key(value) - lo) >> shift)]++;

            // Each rank's bucket, as a slot: the distinct buckets holding ranks, ascending.
            Span<int> slotOfRank = stackalloc int[wanted.Length];
            Span<int> slotBucket = stackalloc int[wanted.Length];
            Span<int> slotFirstRank = stackalloc int[wanted.Length]; // the rank of the bucket's smallest value
            Span<int> slotLength = stackalloc int[wanted.Length];
            Span<int> slotStart = stackalloc int[wanted.Length]; // where its values go in gathered
            var slots = 0;
            var size = 0;
            var below = 0;
            var w = 0;
            for (var b = 0; b < buckets && w < wanted.Length; b++)
            {
                var count = counts[b];
                if (w < wanted.Length && wanted[w] < below + count)
                {
                    slotBucket[slots] = b;
                    slotFirstRank[slots] = below;
                    slotLength[slots] = count;
                    slotStart[slots] = size;
                    size += count;
                    while (w < wanted.Length && wanted[w] < below + count)
                        slotOfRank[w++] = slots;
                    slots++;
                }
                below += count;
            }

            // The histogram becomes a slot map: 1 + the slot of a wanted bucket, 0 for the others.
            counts.Clear();
            for (var s = 0; s < slots; s++)
                counts[slotBucket[s]] = s + 1;
            gathered = ArrayPool<double>.Shared.Rent(size);
            Span<int> fill = stackalloc int[slots];
            slotStart[..slots].CopyTo(fill);
            foreach (var value in values)
            {
                var slot = counts[(int)((Key(value) - lo) >> shift)];
                if (slot != 0)
                    gathered[fill[slot - 1]++] = value;
            }

            Span<int> local = stackalloc int[wanted.Length];
            for (var s = 0; s < slots; s++)
            {
                var part = gathered.AsSpan(slotStart[s], slotLength[s]);
                var n = 0;
                for (var i = 0; i < wanted.Length; i++)
                    if (slotOfRank[i] == s)
                        local[n++] = wanted[i] - slotFirstRank[s];
                SelectRanks(part, local[..n]);
                for (var i = 0; i < wanted.Length; i++)
                    if (slotOfRank[i] == s)
                        values[wanted[i]] = part[wanted[i] - slotFirstRank[s]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(histogram);
            if (gathered is not null)
                ArrayPool<double>.Shared.Return(gathered);
        }
    }

    private static void CheckRanks(int length, ReadOnlySpan<int> ranks)
    {
        foreach (var rank in ranks)
            if ((uint)rank >= (uint)length)
                throw new ArgumentOutOfRangeException(nameof(ranks), rank, $"A rank of {length} values lies in [0, {length}).");
    }

    /// <summary>The ranks, ascending and without repeats, in <paramref name="buffer"/> (at least as long; ranks not empty).</summary>
    private static Span<int> SortedDistinct(ReadOnlySpan<int> ranks, Span<int> buffer)
    {
        var wanted = buffer[..ranks.Length];
        ranks.CopyTo(wanted);
        wanted.Sort();
        var distinct = 1;
        for (var i = 1; i < wanted.Length; i++)
            if (wanted[i] != wanted[distinct - 1])
                wanted[distinct++] = wanted[i];
        return wanted[..distinct];
    }

    /// <summary>The double's bits as an unsigned key in the same order (negatives flipped whole, positives their sign bit).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Key(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        return (ulong)(bits ^ ((bits >> 63) | long.MinValue));
    }

    /// <param name="values">A range of the whole array, starting at index <paramref name="offset"/> of it.</param>
    /// <param name="ranks">The ranks that fall within the range, ascending and distinct; never empty.</param>
    private static void Select(Span<double> values, int offset, ReadOnlySpan<int> ranks, int depth)
    {
        while (true)
        {
            if (values.Length <= InsertionSortLength)
            {
                InsertionSort(values);
                return;
            }
            if (depth-- == 0)
            {
                values.Sort();
                return;
            }

            var (less, notGreater) = Partition(values, Pivot(values));
            // Ranks in [less, notGreater) now hold the pivot and are done.
            var left = ranks[..CountBelow(ranks, offset + less)];
            var right = ranks[CountBelow(ranks, offset + notGreater)..];

            // Recurse into the shorter side and loop on the other, so the stack stays shallow.
            if (!left.IsEmpty && !right.IsEmpty)
            {
                if (less <= values.Length - notGreater)
                {
                    Select(values[..less], offset, left, depth);
                    left = [];
                }
                else
                {
                    Select(values[notGreater..], offset + notGreater, right, depth);
                    right = [];
                }
            }
            if (!left.IsEmpty)
            {
                values = values[..less];
                ranks = left;
            }
            else if (!right.IsEmpty)
            {
                values = values[notGreater..];
                offset += notGreater;
                ranks = right;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>
    /// Three-way partition: values below the pivot first, then those equal to it, then those above.
    /// Runs of equal values (a salary repeated thousands of times) end up in the middle once instead
    /// of being partitioned again and again. Two branch-free sweeps (below vs the rest, then equal vs
    /// above within the rest) rather than Dijkstra's single sweep: on random values its unpredictable
    /// three-way branch made selection about four times slower.
    /// </summary>
    /// <returns>Where the equal values start, and where the greater ones start.</returns>
    private static (int Less, int NotGreater) Partition(Span<double> values, double pivot)
    {
        var less = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            values[i] = values[less];
            values[less] = value;
            less += value < pivot ? 1 : 0;
        }
        var notGreater = less;
        for (var i = less; i < values.Length; i++)
        {
            var value = values[i];
            values[i] = values[notGreater];
            values[notGreater] = value;
            notGreater += value == pivot ? 1 : 0;
        }
        return (less, notGreater);
    }

    private static double Pivot(Span<double> values)
    {
        var last = values.Length - 1;
        var middle = last / 2;
        if (values.Length < NintherLength)
            return MedianOf3(values[0], values[middle], values[last]);
        var step = values.Length / 8;
        return MedianOf3(
            MedianOf3(values[0], values[step], values[2 * step]),
            MedianOf3(values[middle - step], values[middle], values[middle + step]),
            MedianOf3(values[last - 2 * step], values[last - step], values[last]));
    }

    private static double MedianOf3(double a, double b, double c) =>
        a < b
            ? b < c ? b : a < c ? c : a
            : a < c ? a : b < c ? c : b;

    private static void InsertionSort(Span<double> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var value = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > value)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = value;
        }
    }

    /// <summary>How many of the ascending, distinct <paramref name="ranks"/> lie below <paramref name="index"/>.</summary>
    private static int CountBelow(ReadOnlySpan<int> ranks, int index)
    {
        var found = ranks.BinarySearch(index);
        return found >= 0 ? found : ~found;
    }
}
