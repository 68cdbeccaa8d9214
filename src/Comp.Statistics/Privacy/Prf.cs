using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Comp.Statistics.Privacy;

/// <summary>
/// HMAC-SHA256 under a secret key, used as a pseudorandom function: a cell's canonical identity
/// (its 64-bit contents fingerprint and a few small labels, such as what is drawn and the component)
/// names a stream of uniform random bits that only the key's holder can compute. The same key and
/// identity always give the same stream, on every instance and every run, so a protected figure is
/// a function of the cell's contents: asking again, or through another route, draws nothing new.
/// </summary>
/// <remarks>
/// Block <c>i</c> (from 0) of a stream is <c>HMAC-SHA256(key, message)</c> with the message
/// <c>"comp-prf-v1"</c> (ASCII) ‖ fingerprint (8 bytes, little-endian) ‖ the number of labels
/// (1 byte) ‖ each label (4 bytes, little-endian, two's complement) ‖ <c>i</c> (4 bytes,
/// little-endian). The encoding is injective, so distinct identities never share a block. The
/// stream is the blocks' bytes in order, read as little-endian 64-bit words, each word's bits
/// least significant first.
/// </remarks>
public sealed class Prf
{
    /// <summary>A shorter key would be guessable; 32 random bytes is the recommended length.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>At most this many labels follow the fingerprint.</summary>
    public const int MaxLabels = 8;

    internal static ReadOnlySpan<byte> Domain => "comp-prf-v1"u8;

    private readonly byte[] _key;

    /// <param name="key">The secret (configuration <c>Privacy:Key</c>); copied, so the caller may clear its array.</param>
    public Prf(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinKeyBytes)
            throw new ArgumentException($"A PRF key needs at least {MinKeyBytes} bytes; it has {key.Length}.", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>The stream named by a fingerprint and labels, read from its first bit.</summary>
    public PrfStream Stream(ulong fingerprint, params ReadOnlySpan<int> labels) => new(_key, fingerprint, labels);
}

/// <summary>
/// A deterministic stream of uniform bits from a <see cref="Prf"/>, and exact uniform integers
/// drawn from them. Bits are read least significant first from the little-endian 64-bit words of
/// the blocks, so a draw of k bits costs k bits: a whole cell's noise fits in a few HMAC blocks.
/// Not thread-safe: each draw moves the stream on.
/// </summary>
public sealed class PrfStream
{
    private const int BlockBytes = 32;

    private readonly byte[] _key;
    private readonly byte[] _message;
    private readonly byte[] _block = new byte[BlockBytes];
    private int _blockUsed = BlockBytes;
    private uint _nextBlock;
    private ulong _word;
    private int _wordBits;

    internal PrfStream(byte[] key, ulong fingerprint, ReadOnlySpan<int> labels)
    {
        if (labels.Length > Prf.MaxLabels)
            throw new ArgumentException($"At most {Prf.MaxLabels} labels name a stream.", nameof(labels));
        _key = key;
        var domain = Prf.Domain;
        _message = new byte[domain.Length + 8 + 1 + 4 * labels.Length + 4];
        domain.CopyTo(_message);
        var at = domain.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(_message.AsSpan(at), fingerprint);
        at += 8;
        _message[at++] = (byte)labels.Length;
        foreach (var label in labels)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_message.AsSpan(at), label);
            at += 4;
        }
    }

    /// <summary>How many bits have been read so far.</summary>
    public long BitsRead => ((long)_nextBlock * BlockBytes - (BlockBytes - _blockUsed)) * 8 - _wordBits;

    /// <summary>The next <paramref name="count"/> (0–64) uniform bits, the first read as the least significant.</summary>
    public ulong NextBits(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 64);
        if (count <= _wordBits)
            return Take(count);
        // The rest of this word is the low part; the top bits come from the next word.
        var lowCount = _wordBits;
        var low = Take(lowCount);
        _word = NextWord();
        _wordBits = 64;
        return low | Take(count - lowCount) << lowCount;
    }

    /// <summary>
    /// An exactly uniform integer in [0, <paramref name="bound"/>), by rejection: k bits, for the
    /// smallest k with 2^k ≥ bound, are read until they make a number below the bound (fewer than
    /// two tries on average). A bound of 1 returns 0 and reads nothing.
    /// </summary>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        var bits = 64 - BitOperations.LeadingZeroCount(bound - 1);
        ulong value;
        do
            value = NextBits(bits);
        while (value >= bound);
        return value;
    }

    private ulong Take(int count)
    {
        if (count == 0)
            return 0;
        var bits = count == 64 ? _word : _word & ((1UL << count) - 1);
        _word = count == 64 ? 0 : _word >> count;
        _wordBits -= count;
        return bits;
    }

    private ulong NextWord()
    {
        if (_blockUsed == BlockBytes)
        {
            if (_nextBlock == uint.MaxValue)
                throw new InvalidOperationException("A PRF stream holds at most 2^32 − 1 blocks.");
            BinaryPrimitives.WriteUInt32LittleEndian(_message.AsSpan(_message.Length - 4), _nextBlock++);
            HMACSHA256.HashData(_key, _message, _block);
            _blockUsed = 0;
        }
        var word = BinaryPrimitives.ReadUInt64LittleEndian(_block.AsSpan(_blockUsed));
        _blockUsed += 8;
        return word;
    }
}
