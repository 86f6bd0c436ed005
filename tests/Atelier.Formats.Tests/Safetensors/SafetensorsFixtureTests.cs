using System.Buffers.Binary;
using Atelier.Formats.Safetensors;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Safetensors;

/// <summary>Every safetensors file of the reference fixtures opens, reads correctly, and rewrites byte for byte.</summary>
public sealed class SafetensorsFixtureTests
{
    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        string? root = SharedData.Root;
        if (root is null || !Directory.Exists(Path.Combine(root, "reference")))
        {
            data.Add("(shared fixtures absent)");
            return data;
        }
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "reference"), "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureFiles))]
    public void Rewriting_a_fixture_in_its_own_order_is_byte_identical(string relative)
    {
        string source = RequireFixture(relative);
        using var temp = new TempDirectory();
        string copy = temp.File("copy.safetensors");
        using (var file = SafetensorsFile.Open(source))
            SafetensorsWriter.Copy(file, copy, SafetensorsTensorOrder.AsGiven);
        AssertSameBytes(source, copy);
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureFiles))]
    public void Rewriting_a_fixture_in_reference_order_is_byte_identical(string relative)
    {
        // The fixtures were written by the reference library, so its sort (dtype descending, then name) reproduces them.
        string source = RequireFixture(relative);
        using var temp = new TempDirectory();
        string copy = temp.File("copy.safetensors");
        using (var file = SafetensorsFile.Open(source))
            SafetensorsWriter.Copy(file, copy, SafetensorsTensorOrder.Reference);
        AssertSameBytes(source, copy);
    }

    [SkippableFact]
    public void Values_are_read_from_the_right_offsets()
    {
        string path = SharedData.Require("reference/tiny-sd-expected/unet.safetensors");
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.GetMetadata("format"));

        var t999 = file.GetInfo("timestep_t999");
        Assert.Equal(SafetensorsDType.I64, t999.DType);
        Assert.Empty(t999.Shape);
        Assert.Equal(999L, BinaryPrimitives.ReadInt64LittleEndian(file.GetSpan(t999)));

        var perSample = file.GetInfo("timestep_t_per_sample");
        Assert.Equal([2L], perSample.ShapeArray());
        var bytes = file.GetSpan(perSample);
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(bytes));
        Assert.Equal(981L, BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));

        var t500 = file.GetInfo("timestep_t500_5");
        Assert.Equal(SafetensorsDType.F32, t500.DType);
        Assert.Equal(500.5f, BinaryPrimitives.ReadSingleLittleEndian(file.GetSpan(t500)));
    }

    [SkippableFact]
    public void Fp16_single_file_keeps_half_precision()
    {
        string path = SharedData.Require("reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors");
        using var file = SafetensorsFile.Open(path);
        var convIn = file.GetInfo("model.diffusion_model.input_blocks.0.0.weight");
        Assert.Equal(SafetensorsDType.F16, convIn.DType);
        Assert.Equal(Atelier.Tensors.DType.F16, convIn.ToDType(path));
        Assert.Equal([32, 9, 3, 3], convIn.ShapeInt32());
        Assert.Equal(32 * 9 * 3 * 3 * 2, convIn.ByteLength);
    }

    private static string RequireFixture(string relative)
    {
        Skip.If(relative.StartsWith('('), "../shared/ is absent beside the repository; this test needs its reference fixtures.");
        return SharedData.Require(relative);
    }

    internal static void AssertSameBytes(string expectedPath, string actualPath)
    {
        byte[] expected = File.ReadAllBytes(expectedPath);
        byte[] actual = File.ReadAllBytes(actualPath);
        Assert.Equal(expected.Length, actual.Length);
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length, $"{actualPath} differs from {expectedPath} first at byte {firstDifference}.");
    }
}
