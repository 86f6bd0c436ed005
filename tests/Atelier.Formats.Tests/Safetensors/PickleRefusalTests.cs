using System.Buffers.Binary;
using System.IO.Compression;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Safetensors;

public sealed class PickleRefusalTests
{
    [Theory]
    [InlineData("model.ckpt")]
    [InlineData("model.safetensors")] // content wins over the extension
    public void Torch_zip_checkpoint_is_refused_with_the_reason_and_a_conversion_hint(string name)
    {
        using var temp = new TempDirectory();
        string path = temp.File(name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("archive/data.pkl").Open()))
                writer.Write("\u0080\u0002}q\u0000.");
            using (var writer = new StreamWriter(zip.CreateEntry("archive/data/0").Open()))
                writer.Write("0000");
        }

        var error = Assert.Throws<PickleCheckpointException>(() => SafetensorsFile.Open(path).Dispose());

        Assert.Contains(path, error.Message);
        Assert.Contains("archive/data.pkl", error.Message);
        Assert.Contains("arbitrary code", error.Message);
        Assert.Contains("weights_only=True", error.Message);
        Assert.Contains("safetensors.torch", error.Message);
        Assert.Contains("save_file", error.Message);
    }

    [Fact]
    public void Raw_pickle_stream_is_refused()
    {
        using var temp = new TempDirectory();
        string path = temp.File("pytorch_model.bin");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

        var error = Assert.Throws<PickleCheckpointException>(() => SafetensorsFile.Open(path).Dispose());

        Assert.Contains("raw pickle stream, protocol 2", error.Message);
        Assert.Contains("arbitrary code", error.Message);
    }

    [Fact]
    public void A_safetensors_file_whose_header_length_starts_like_a_pickle_is_not_mistaken_for_one()
    {
        // Header length 640 = bytes 0x80 0x02 0 0 0 0 0 0, then '{': a valid safetensors file.
        using var temp = new TempDirectory();
        string path = temp.File("ok.safetensors");
        string header = "{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}".PadRight(640);
        byte[] bytes = RawSafetensors.Build(header, [7]);
        Assert.Equal(640UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(0x80, bytes[0]);
        Assert.Equal(0x02, bytes[1]);
        File.WriteAllBytes(path, bytes);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(7, file.GetSpan("x")[0]);
    }

    [Fact]
    public void A_ckpt_that_is_neither_pickle_nor_safetensors_gets_a_format_error_mentioning_the_extension()
    {
        using var temp = new TempDirectory();
        string path = temp.File("weird.ckpt");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains("'.ckpt' extension", error.Message);
    }
}
