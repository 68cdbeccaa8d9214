using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Comp.Statistics.Privacy;

/// <summary>
/// HMAC-SHA256 under a secret key, used as a pseudorandom function: a cell's canonical identity
/// (its 64-bit contents fingerprint and a few small labels: what is drawn, the component, the bin)
/// names a stream of uniform random bits that only the key's holder can compute. The same key and
/// identity always give the same stream, on every instance and every run, so a protected figure is
/// a function of the cell's contents: asking again, or through another route, draws nothing new.
/// </summary>
/// <remarks>
/// Block <c>i</c> (from 0) of a stream is <c>HMAC-SHA256(key, message)</c> with the message
/// <c>"comp-prf-v1"</c> (ASCII) ‖ fingerprint (8 bytes, little-endian) ‖ the number of labels
/// (1 byte) ‖ each label (4 bytes, little-endian, two's complement) ‖ <c>i</c> (4 bytes,
/// little-endian). The encoding is injective, so distinct identities never share a block. The
/// stream is the blocks' bytes in order, read as little-endian 32-bit words.
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

    /// <summary>The stream named by a fingerprint and labels, read from its first word.</summary>
    public PrfStream Stream(ulong fingerprint, params ReadOnlySpan<int> labels) => new(_key, fingerprint, labels);
}

/// <summary>
/// A deterministic stream of uniform 32-bit words from a <see cref="Prf"/>, and exact uniform
/// integers drawn from them. Not thread-safe: each draw moves the stream on.
/// </summary>
public sealed class PrfStream
{
    private const int BlockBytes = 32;

    private readonly byte[] _key;
    private readonly byte[] _message;
    private readonly byte[] _block = new byte[BlockBytes];
    private int _used = BlockBytes;
    private uint _nextBlock;

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

    /// <summary>How many 32-bit words have been read so far.</summary>
    public long WordsRead => (long)_nextBlock * (BlockBytes / 4) - (BlockBytes - _used) / 4;

    /// <summary>The next 32 uniform bits.</summary>
    public uint NextUInt32()
    {
        if (_used == BlockBytes)
        {
            if (_nextBlock == uint.MaxValue)
                throw new InvalidOperationException("A PRF stream holds at most 2^32 − 1 blocks.");
            BinaryPrimitives.WriteUInt32LittleEndian(_message.AsSpan(_message.Length - 4), _nextBlock++);
            HMACSHA256.HashData(_key, _message, _block);
            _used = 0;
        }
        var word = BinaryPrimitives.ReadUInt32LittleEndian(_block.AsSpan(_used));
        _used += 4;
        return word;
    }

    /// <summary>The next 64 uniform bits: two words, the first one low.</summary>
    public ulong NextUInt64()
    {
        ulong low = NextUInt32();
        return low | (ulong)NextUInt32() << 32;
    }

    /// <summary>
    /// An exactly uniform integer in [0, <paramref name="bound"/>), by rejection: a word (one for a
    /// bound up to 2^32, else two) at or above the largest multiple of the bound that fits is
    /// thrown away and another read, so every result has the same number of words mapping to it.
    /// A bound of 1 returns 0 and reads nothing.
    /// </summary>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        if (bound == 1)
            return 0;
        if (bound <= 1UL << 32)
        {
            // 2^32 mod bound words at the bottom are rejected: the rest form whole runs of bound.
            var rejected = (uint)((1UL << 32) % bound);
            uint word;
            do
                word = NextUInt32();
            while (word < rejected);
            return word % bound;
        }
        var rejectedWide = (0UL - bound) % bound;
        ulong wide;
        do
            wide = NextUInt64();
        while (wide < rejectedWide);
        return wide % bound;
    }
}
