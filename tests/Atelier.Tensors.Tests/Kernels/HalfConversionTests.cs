using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The bit-level F16/BF16 widening against .NET's own Half conversion, over every one of the 65536 bit patterns.</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class HalfConversionTests
{
    [Fact]
    public void EveryHalfBitPatternWidensExactly()
    {
        ushort* src = (ushort*)NativeMemory.Alloc(65536 * 2);
        float* dst = (float*)NativeMemory.Alloc(65536 * 4);
        try
        {
            for (int i = 0; i < 65536; i++) src[i] = (ushort)i;
            HalfConversion.Widen(src, dst, 65536, DType.F16);
            for (int i = 0; i < 65536; i++)
            {
                float want = (float)BitConverter.UInt16BitsToHalf((ushort)i);
                // Bit-exact, NaN payloads included.
                Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(dst[i]),
                    $"F16 0x{i:X4}: widened to {dst[i]:R} (0x{BitConverter.SingleToInt32Bits(dst[i]):X8}), expected {want:R}");
            }
            HalfConversion.Widen(src, dst, 65536, DType.BF16);
            for (int i = 0; i < 65536; i++)
                Assert.Equal(i << 16, BitConverter.SingleToInt32Bits(dst[i]));
        }
        finally
        {
            NativeMemory.Free(src);
            NativeMemory.Free(dst);
        }
    }

    [Fact]
    public void EveryLengthUpToFourVectorsPlusOne()
    {
        for (int length = 0; length <= 4 * 16 + 1; length++)
        {
            ushort[] src = new ushort[length + 1];
            float[] dst = new float[length + 1];
            var rng = new Random(length);
            for (int i = 0; i <= length; i++) src[i] = BitConverter.HalfToUInt16Bits((Half)(rng.NextDouble() * 200 - 100));
            dst[length] = 12345f; // sentinel: nothing past the length is written
            fixed (ushort* s = src)
            fixed (float* d = dst)
                HalfConversion.Widen(s, d, length, DType.F16);
            for (int i = 0; i < length; i++) Assert.Equal((float)BitConverter.UInt16BitsToHalf(src[i]), dst[i]);
            Assert.Equal(12345f, dst[length]);
        }
    }

    [Fact]
    public void WideningAFloatTypeThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => HalfConversion.Widen(null, null, 0, DType.F32));
        Assert.Contains("F32", e.Message);
    }
}
