using System.Runtime.InteropServices;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Checkpoints;

internal static class WeightAssert
{
    /// <summary>Same names, shapes, dtypes and bytes; names the first tensor that differs.</summary>
    public static void Identical(ComponentWeights expected, ComponentWeights actual)
    {
        Assert.Equal(expected.Names, actual.Names);
        foreach (var want in expected.Tensors)
        {
            var got = actual[want.Name];
            Assert.True(want.FileDType == got.FileDType, $"{want.Name}: dtype {got.FileDType} from {got.Origin}, expected {want.FileDType}.");
            Assert.True(want.Shape.SequenceEqual(got.Shape), $"{want.Name}: shape [{string.Join(", ", got.Shape)}] from {got.Origin}, expected [{string.Join(", ", want.Shape)}].");
            Assert.True(want.Span.SequenceEqual(got.Span), $"{want.Name}: bytes of {got.Origin} differ from {want.Origin}.");
        }
    }

    /// <summary><paramref name="actual"/> holds F16 tensors equal to <paramref name="expected"/>'s F32 values rounded to half precision.</summary>
    public static void IsHalfOf(ComponentWeights expected, ComponentWeights actual)
    {
        Assert.Equal(expected.Names, actual.Names);
        foreach (var want in expected.Tensors)
        {
            var got = actual[want.Name];
            Assert.Equal(SafetensorsDType.F32, want.FileDType);
            Assert.True(got.FileDType == SafetensorsDType.F16, $"{want.Name}: {got.FileDType}, expected F16.");
            Assert.True(want.Shape.SequenceEqual(got.Shape), $"{want.Name}: shape differs.");
            var full = MemoryMarshal.Cast<byte, float>(want.Span);
            var half = MemoryMarshal.Cast<byte, Half>(got.Span);
            for (int i = 0; i < full.Length; i++)
            {
                Half rounded = (Half)full[i];
                if (BitConverter.HalfToUInt16Bits(rounded) != BitConverter.HalfToUInt16Bits(half[i]))
                    Assert.Fail($"{want.Name}[{i}]: {half[i]} in {got.Origin}, expected {full[i]} rounded to half = {rounded}.");
            }
        }
    }
}
