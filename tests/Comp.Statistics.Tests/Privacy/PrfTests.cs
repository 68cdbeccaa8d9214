using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

// Oracle: an independent Python reference of the documented encoding (hmac + hashlib):
//   message = b"comp-prf-v1" + pack('<Q', fingerprint) + bytes([len(labels)]) + pack('<i', label)… + pack('<I', block)
//   block   = hmac.new(key, message, sha256).digest(); words = little-endian 64-bit, bits least significant first.
// Key: bytes 0, 1, …, 31. Fingerprint 0x0123456789ABCDEF, labels [1, 7, -1]:
//   message 636f6d702d7072662d7631 efcdab8967452301 03 01000000 07000000 ffffffff 00000000
//   block 0 8eddd099fd32761d76b6a447168e052fd721e0f1882823ef758fb04354509a59
public class PrfTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    private static PrfStream Reference() => new Prf(Key).Stream(0x0123456789ABCDEF, 1, 7, -1);

    [Fact]
    public void The_stream_is_the_hmac_blocks_read_as_little_endian_words()
    {
        var stream = Reference();
        // Words 0-3 are block 0's bytes; word 4 is the first of block 1.
        ulong[] expected = [0x1d7632fd99d0dd8e, 0x2f058e1647a4b676, 0xef232888f1e021d7, 0x599a505443b08f75, 0x175b3b24f13b934c];
        foreach (var word in expected)
            Assert.Equal(word, stream.NextBits(64));
        Assert.Equal(5 * 64, stream.BitsRead);
    }

    [Fact]
    public void Bits_are_read_least_significant_first_across_words()
    {
        var stream = Reference();
        // 60 bits: word 0 without its top nibble; 8 bits: that nibble (1) and word 1's low nibble (6);
        // 64 bits: the rest of word 1 and word 2's low nibble; 3 bits: the next three.
        Assert.Equal(0xd7632fd99d0dd8eUL, stream.NextBits(60));
        Assert.Equal(0x61UL, stream.NextBits(8));
        Assert.Equal(0x72f058e1647a4b67UL, stream.NextBits(64));
        Assert.Equal(0x5UL, stream.NextBits(3));
        Assert.Equal(135, stream.BitsRead);
        Assert.Equal(0UL, stream.NextBits(0));
    }

    [Fact]
    public void Uniform_integers_match_the_reference_rejection_sampler()
    {
        // Python: k = (m - 1).bit_length(); draw k bits until below m.
        var small = new Prf(Key).Stream(42);
        Assert.Equal([0UL, 0, 0, 0, 2, 0, 0, 0, 1, 2], Enumerable.Range(0, 10).Select(_ => small.NextBelow(3)));
        Assert.Equal(26, small.BitsRead); // 13 two-bit draws: 3 of them (value 3) rejected

        var large = new Prf(Key).Stream(42);
        Assert.Equal([51212UL, 844263, 328260, 779353, 272734], Enumerable.Range(0, 5).Select(_ => large.NextBelow(1_000_000)));
        Assert.Equal(100, large.BitsRead); // 20 bits each, none rejected
    }

    [Fact]
    public void A_bound_of_one_reads_nothing()
    {
        var stream = Reference();
        Assert.Equal(0UL, stream.NextBelow(1));
        Assert.Equal(0, stream.BitsRead);
    }

    [Fact]
    public void The_same_key_and_identity_give_the_same_stream()
    {
        // A second Prf from a copy of the key: nothing but the key and the identity matters.
        var a = new Prf(Key).Stream(99, 3, 4);
        var b = new Prf([.. Key]).Stream(99, 3, 4);
        for (var i = 0; i < 100; i++)
            Assert.Equal(a.NextBelow(1_000_003), b.NextBelow(1_000_003));
    }

    [Fact]
    public void Any_change_of_key_fingerprint_or_labels_gives_another_stream()
    {
        static ulong First(byte[] key, ulong fingerprint, params int[] labels) => new Prf(key).Stream(fingerprint, labels).NextBits(64);
        var otherKey = (byte[])Key.Clone();
        otherKey[31] ^= 1;
        var baseline = First(Key, 99, 3, 4);
        Assert.NotEqual(baseline, First(otherKey, 99, 3, 4));
        Assert.NotEqual(baseline, First(Key, 98, 3, 4));
        Assert.NotEqual(baseline, First(Key, 99, 3, 5));
        Assert.NotEqual(baseline, First(Key, 99, 4, 3));
        // The label count is encoded: (3, 4) and (3, 4, 0) are different identities.
        Assert.NotEqual(baseline, First(Key, 99, 3, 4, 0));
    }

    [Fact]
    public void The_key_is_copied()
    {
        var key = (byte[])Key.Clone();
        var prf = new Prf(key);
        var before = prf.Stream(1).NextBits(64);
        Array.Clear(key);
        Assert.Equal(before, prf.Stream(1).NextBits(64));
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Prf(new byte[15]));
        Assert.Contains("16 bytes", ex.Message);
    }

    [Fact]
    public void More_than_eight_labels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Prf(Key).Stream(1, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65)]
    public void A_bit_count_outside_0_to_64_is_refused(int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Reference().NextBits(count));
    }

    [Fact]
    public void A_bound_of_zero_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Reference().NextBelow(0));
    }

    [Fact]
    public void Uniform_integers_are_uniform()
    {
        // 300,000 draws below 7 (3 bits, 1 in 8 rejected): each face's count within the Bernstein
        // bound at δ = 1e-7 per face, so a correct sampler fails with probability below 1e-6.
        var (key, hex) = StatisticalBounds.FreshKey();
        var stream = new Prf(key).Stream(5);
        const int draws = 300_000;
        var counts = new long[7];
        for (var i = 0; i < draws; i++)
            counts[stream.NextBelow(7)]++;
        var allowed = StatisticalBounds.BinomialDeviation(draws, 1.0 / 7, 1e-7);
        for (var face = 0; face < 7; face++)
            Assert.True(Math.Abs(counts[face] - draws / 7.0) < allowed,
                $"face {face}: {counts[face]} of {draws}, allowed ±{allowed:F0}; key {hex}");
    }
}
