using System.Text;
using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

[Trait("Category", "Kernel")]
public class PngCrc32Tests
{
    [Fact]
    public void Check_value_of_the_standard_test_string()
    {
        // "123456789" → 0xCBF43926: the check value of CRC-32/ISO-HDLC, the PNG CRC.
        Assert.Equal(0xCBF43926u, PngCrc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xCBF43926u, ~PngCrc32.UpdateReference(PngCrc32.Initial, Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Iend_chunk_crc_matches_the_specification()
    {
        // Every PNG ends with 00 00 00 00 'IEND' AE 42 60 82.
        Assert.Equal(0xAE426082u, PngCrc32.Compute("IEND"u8));
    }

    [Fact]
    public void Sliced_update_equals_the_bytewise_reference_at_every_length_and_split()
    {
        var random = new Random(7);
        var data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            var span = data.AsSpan(0, length);
            uint reference = PngCrc32.UpdateReference(PngCrc32.Initial, span);
            Assert.Equal(reference, PngCrc32.Update(PngCrc32.Initial, span));
            int split = length / 3;
            Assert.Equal(reference, PngCrc32.Update(PngCrc32.Update(PngCrc32.Initial, span.Slice(0, split)), span.Slice(split)));
        }
    }
}
