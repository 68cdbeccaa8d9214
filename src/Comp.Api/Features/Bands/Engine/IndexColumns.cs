using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// Strings of one dimension (roles, regions, levels, currencies, sources) numbered densely in the
/// order they are first seen. Lookups are lock-free and allocation-free from a span of chars, so
/// rows can be parsed while readers resolve filters; the code → string table grows copy-on-write.
/// </summary>
internal sealed class Dimension(string name, int maxCodes)
{
    private readonly ConcurrentDictionary<string, int> codes = new(StringComparer.Ordinal);
    private readonly Lock growing = new();
    private string[] names = [];

    public string Name { get; } = name;

    /// <summary>How many codes exist (codes are 0 … Count − 1).</summary>
    public int Count => Volatile.Read(ref names).Length;

    public string this[int code] => Volatile.Read(ref names)[code];

    public bool TryGet(string value, out int code) => codes.TryGetValue(value, out code);

    public int Intern(ReadOnlySpan<char> value)
    {
        var lookup = codes.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var code))
            return code;
        return Add(value.ToString());
    }

    private int Add(string value)
    {
        lock (growing)
        {
            if (codes.TryGetValue(value, out var existing))
                return existing;
            var current = names;
            if (current.Length >= maxCodes)
                throw new InvalidOperationException($"The band index holds at most {maxCodes} distinct {Name} values.");
            var next = new string[current.Length + 1];
            current.CopyTo(next, 0);
            next[^1] = value;
            Volatile.Write(ref names, next);
            codes[value] = current.Length;
            return current.Length;
        }
    }
}

/// <summary>A growable list of row numbers (a posting list), ascending as rows are appended.</summary>
internal sealed class RowList(int capacity = 0)
{
    private int[] items = capacity == 0 ? [] : new int[capacity];

    public int Count { get; private set; }

    public ReadOnlySpan<int> Rows => items.AsSpan(0, Count);

    public long Bytes => (long)items.Length * sizeof(int);

    /// <summary>Whether the rows are consecutive (<paramref name="first"/>, first + 1, …): ascending and distinct, so the ends tell.</summary>
    public bool IsRange(out int first)
    {
        first = Count > 0 ? items[0] : 0;
        return Count > 0 && items[Count - 1] - first == Count - 1;
    }

    public void Add(int row)
    {
        if (Count == items.Length)
            Array.Resize(ref items, Math.Max(16, items.Length + (items.Length >> 1)));
        items[Count++] = row;
    }

    /// <summary>Drops the unused capacity (after the start-up load, whose lists then stay exact).</summary>
    public void Trim()
    {
        if (items.Length != Count)
            Array.Resize(ref items, Count);
    }
}

/// <summary>
/// Maps datapoint ids to row numbers: open addressing over the id column itself, so the table
/// costs one int per slot (about 5–7 bytes per datapoint at its load factor).
/// </summary>
internal sealed class RowMap
{
    private int[] slots = [];
    private int used;

    public long Bytes => (long)slots.Length * sizeof(int);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(in Guid id)
    {
        var h = (ulong)id.GetHashCode() * 0x9E3779B97F4A7C15UL;
        return (uint)(h >> 32);
    }

    public int Find(Guid id, Guid[] ids)
    {
        if (slots.Length == 0)
            return -1;
        var mask = (uint)slots.Length - 1;
        for (var i = Hash(id) & mask; ; i = (i + 1) & mask)
        {
            var row = slots[i] - 1;
            if (row < 0)
                return -1;
            if (ids[row] == id)
                return row;
        }
    }

    /// <summary>Adds or repoints the id's slot to <paramref name="row"/> (the id column must already hold it there).</summary>
    public void Set(Guid id, int row, Guid[] ids, int expectedRows)
    {
        if ((used + 1) * 4L > slots.Length * 3L)
            Grow(ids, Math.Max(expectedRows, used + 1));
        var mask = (uint)slots.Length - 1;
        for (var i = Hash(id) & mask; ; i = (i + 1) & mask)
        {
            var existing = slots[i] - 1;
            if (existing < 0)
            {
                slots[i] = row + 1;
                used++;
                return;
            }
            if (ids[existing] == id)
            {
                slots[i] = row + 1;
                return;
            }
        }
    }

    /// <summary>Grows now, if <paramref name="rows"/> ids would make <see cref="Set"/> grow; the map is then built anew from its own slots.</summary>
    public void Reserve(Guid[] ids, int rows)
    {
        if (rows * 4L > slots.Length * 3L)
            Grow(ids, rows);
    }

    /// <summary>Maps ids[0 … count − 1] to their rows afresh (after the rows moved).</summary>
    public void Rebuild(Guid[] ids, int count)
    {
        slots = [];
        used = 0;
        if (count > 0)
            Grow(ids, count);
        for (var row = 0; row < count; row++)
            Set(ids[row], row, ids, count);
    }

    private void Grow(Guid[] ids, int rows)
    {
        // Load factor at most 3/4 after growing by at least a quarter.
        var size = 16;
        while (size * 3L < rows * 4L + rows)
            size <<= 1;
        var old = slots;
        slots = new int[size];
        used = 0;
        var mask = (uint)size - 1;
        foreach (var slot in old)
        {
            if (slot == 0)
                continue;
            var row = slot - 1;
            for (var i = Hash(ids[row]) & mask; ; i = (i + 1) & mask)
            {
                if (slots[i] == 0)
                {
                    slots[i] = slot;
                    used++;
                    break;
                }
            }
        }
    }
}
