using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Safetensors;

public sealed unsafe class SafetensorsLifetimeTests
{
    [Fact]
    public void A_lease_keeps_the_mapping_after_the_file_is_disposed()
    {
        using var temp = new TempDirectory();
        string path = temp.File("valid.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Valid());

        var file = SafetensorsFile.Open(path);
        var info = file.GetInfo("mask");
        byte* pointer = file.GetPointer(info);
        var lease = file.Storage.Retain();
        file.Dispose();

        Assert.Equal(RawSafetensors.ValidData()[40..44], new ReadOnlySpan<byte>(pointer, 4).ToArray());
        var mapping = Assert.IsType<MappedFile>(lease.Storage);
        Assert.True(mapping.IsMapped);
        lease.Dispose();
        lease.Dispose(); // harmless
        Assert.False(mapping.IsMapped);
        Assert.Throws<ObjectDisposedException>(() => mapping.Retain());
        Assert.Throws<ObjectDisposedException>(() => file.GetSpan(info));
    }

    [Fact]
    public void Unsupported_dtypes_open_but_refuse_conversion_naming_the_tensor()
    {
        using var temp = new TempDirectory();
        string path = temp.File("f64.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build("{\"betas\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]));
        using var file = SafetensorsFile.Open(path);
        var info = file.GetInfo("betas");
        Assert.Equal(SafetensorsDType.F64, info.DType);
        var error = Assert.Throws<NotSupportedException>(() => info.ToDType(path));
        Assert.Contains("'betas'", error.Message);
        Assert.Contains("F64", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Missing_tensor_is_named_in_the_error()
    {
        using var temp = new TempDirectory();
        string path = temp.File("valid.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Valid());
        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<KeyNotFoundException>(() => file.GetInfo("nope"));
        Assert.Contains("'nope'", error.Message);
        Assert.Contains(path, error.Message);
    }
}
