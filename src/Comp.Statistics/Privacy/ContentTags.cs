using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Comp.Statistics.Privacy;

/// <summary>
/// A cell's contents fingerprint, cheap to keep during a scan: each datapoint has a 64-bit tag,
/// a keyed mix of its id, and a cell's fingerprint is the sum of its datapoints' tags (mod 2⁶⁴),
/// which does not depend on the order rows are read in, nor on how a scan is split. Equal
/// contents give equal fingerprints; different contents collide with probability about 2⁻⁶⁴.
/// The key comes from <c>Privacy:Key</c>, so nobody without it can compute a tag, let alone
/// choose datapoints whose tags cancel. (An HMAC over a million ids per query would cost too
/// much; this costs an add per row.)
/// </summary>
public sealed class ContentTags
{
    private readonly ulong _k0, _k1;

    public ContentTags(ReadOnlySpan<byte> privacyKey)
    {
        Span<byte> derived = stackalloc byte[32];
        HMACSHA256.HashData(privacyKey, "comp content tags v1"u8, derived);
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(derived);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(derived[8..]);
    }

    /// <summary>The tag of the datapoint with <paramref name="id"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Of(Guid id)
    {
        ulong lo, hi;
        if (BitConverter.IsLittleEndian)
        {
            // A Guid's memory is the little-endian byte form TryWriteBytes gives: read it in place (the scan calls this once a row).
            var halves = MemoryMarshal.Cast<Guid, ulong>(new ReadOnlySpan<Guid>(in id));
            (lo, hi) = (halves[0], halves[1]);
        }
        else
        {
            Span<byte> bytes = stackalloc byte[16];
            id.TryWriteBytes(bytes);
            (lo, hi) = (BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
        }
        return Mix(Mix(lo ^ _k0) + hi ^ _k1);
    }

    /// <summary>SplitMix64's finaliser: a bijection on 64 bits that spreads every input bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
