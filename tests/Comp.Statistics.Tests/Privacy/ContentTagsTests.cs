using System.Buffers.Binary;
using System.Security.Cryptography;
using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

public class ContentTagsTests
{
    private static readonly byte[] Key = "content-tags-test-key-0123456789"u8.ToArray();

    /// <summary>The definition, written out: the id's 16 bytes (Guid.TryWriteBytes, little-endian) as two words, mixed with the derived key.</summary>
    private static ulong Reference(Guid id)
    {
        Span<byte> derived = stackalloc byte[32];
        HMACSHA256.HashData(Key, "comp content tags v1"u8, derived);
        var (k0, k1) = (BinaryPrimitives.ReadUInt64LittleEndian(derived), BinaryPrimitives.ReadUInt64LittleEndian(derived[8..]));
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        return Mix(Mix(BinaryPrimitives.ReadUInt64LittleEndian(bytes) ^ k0) + BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]) ^ k1);
    }

    [Fact]
    public void A_tag_is_the_keyed_mix_of_the_ids_bytes_whatever_way_they_are_read()
    {
        var tags = new ContentTags(Key);
        var random = new Random(42);
        var bytes = new byte[16];
        for (var i = 0; i < 1_000; i++)
        {
            random.NextBytes(bytes);
            var id = new Guid(bytes);
            Assert.Equal(Reference(id), tags.Of(id));
        }
        Assert.Equal(Reference(Guid.Empty), tags.Of(Guid.Empty));
        Assert.Equal(Reference(Guid.AllBitsSet), tags.Of(Guid.AllBitsSet));
    }

    [Fact]
    public void Another_key_gives_other_tags()
    {
        var id = Guid.Parse("01a213db-adcb-731a-85dd-e47826e15668");
        Assert.NotEqual(new ContentTags(Key).Of(id), new ContentTags("another-key-0123456789abcdef"u8).Of(id));
    }
}
