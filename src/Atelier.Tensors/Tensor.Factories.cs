using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>A contiguous tensor with uninitialised contents (pool memory may hold old values).</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.F32) => Empty(shape, dtype, scoped: true);

    /// <param name="scoped">False for memory that must outlive any scope (gradients of leaves).</param>
    internal static Tensor Empty(Shape shape, DType dtype, bool scoped)
    {
        long bytes = checked(shape.ElementCount * dtype.Size());
        var storage = TensorStorage.Allocate(bytes, scoped);
        return new Tensor(storage, dtype, shape, ContiguousStrides(shape), 0);
    }

    /// <summary>A contiguous tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.F32)
    {
        var t = Empty(shape, dtype);
        NativeMemory.Clear(t.Data, (nuint)(t.ElementCount * dtype.Size()));
        return t;
    }

    /// <summary>A contiguous tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.F32) => Full(shape, 1, dtype);

    /// <summary>Every element set to <paramref name="value"/>, converted to <paramref name="dtype"/> like <see cref="Cast"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.F32)
    {
        var t = Empty(shape, dtype);
        t.FillUnchecked(value);
        return t;
    }

    /// <summary>A rank-0 float32 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => Full(Shape.Scalar, value);

    /// <summary>Zeros with the shape and dtype of <paramref name="t"/> (likewise OnesLike, FullLike, EmptyLike).</summary>
    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType);

    public static Tensor OnesLike(Tensor t) => Ones(t.Shape, t.DType);

    public static Tensor FullLike(Tensor t, double value) => Full(t.Shape, value, t.DType);

    public static Tensor EmptyLike(Tensor t) => Empty(t.Shape, t.DType);

    /// <summary>
    /// A contiguous copy of <paramref name="data"/> (row-major) with <paramref name="shape"/>; the dtype follows the
    /// element type: float → F32, Half → F16, int → I32, long → I64, bool → Bool, byte → U8.
    /// </summary>
    public static Tensor FromArray(float[] data, Shape shape) => FromSpan<float>(data, shape, DType.F32, "FromArray");

    public static Tensor FromArray(Half[] data, Shape shape) => FromSpan<Half>(data, shape, DType.F16, "FromArray");

    public static Tensor FromArray(int[] data, Shape shape) => FromSpan<int>(data, shape, DType.I32, "FromArray");

    public static Tensor FromArray(long[] data, Shape shape) => FromSpan<long>(data, shape, DType.I64, "FromArray");

    public static Tensor FromArray(bool[] data, Shape shape)
    {
        var bytes = new byte[data.Length];
        for (int i = 0; i < data.Length; i++) bytes[i] = data[i] ? (byte)1 : (byte)0;
        return FromSpan<byte>(bytes, shape, DType.Bool, "FromArray");
    }

    /// <summary>Bytes as <see cref="DType.U8"/> (or <see cref="DType.Bool"/>: non-zero is true).</summary>
    public static Tensor FromArray(byte[] data, Shape shape, DType dtype = DType.U8)
    {
        if (dtype is not (DType.U8 or DType.Bool))
            throw new TensorDTypeException("FromArray", $"byte[] cannot hold {dtype}", "U8 or Bool (use FromBytes for raw little-endian data of other types)");
        var t = FromSpan<byte>(data, shape, dtype, "FromArray");
        if (dtype == DType.Bool)
            for (long i = 0; i < t.ElementCount; i++) t.Data[i] = t.Data[i] != 0 ? (byte)1 : (byte)0;
        return t;
    }

    /// <summary>Raw little-endian element bytes of <paramref name="dtype"/> (e.g. BF16 bit patterns), copied.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> data, DType dtype, Shape shape)
    {
        long expected = checked(shape.ElementCount * dtype.Size());
        if (data.Length != expected)
            throw new TensorShapeException("FromBytes", $"{data.Length} bytes for {dtype} shape {shape}", $"{expected} bytes ({shape.ElementCount} elements x {dtype.Size()})");
        var t = Empty(shape, dtype);
        data.CopyTo(new Span<byte>(t.Data, data.Length));
        return t;
    }

    private static Tensor FromSpan<T>(ReadOnlySpan<T> data, Shape shape, DType dtype, string op) where T : unmanaged
    {
        if (data.Length != shape.ElementCount)
            throw new TensorShapeException(op, $"{data.Length} values for shape {shape}", $"{shape.ElementCount} values (the product of the shape)");
        var t = Empty(shape, dtype);
        data.CopyTo(new Span<T>(t.Data, data.Length));
        return t;
    }

    /// <summary>
    /// A contiguous tensor over memory this tensor does not own (e.g. a tensor inside a memory-mapped safetensors
    /// file): no copy, half-precision data stays half precision. <paramref name="owner"/> is kept alive as long as
    /// the tensor or any of its views is, and must keep <paramref name="data"/> valid that long. Never pooled,
    /// never released by scopes.
    /// </summary>
    public static Tensor FromExternal(void* data, DType dtype, Shape shape, object? owner)
    {
        long bytes = checked(shape.ElementCount * dtype.Size());
        if (data is null && bytes > 0)
            throw new ArgumentNullException(nameof(data), $"FromExternal: null pointer for a {dtype} tensor of shape {shape} ({bytes} bytes).");
        var storage = TensorStorage.External(data, bytes, owner);
        return new Tensor(storage, dtype, shape, ContiguousStrides(shape), 0);
    }

    /// <summary>Values start, start + step, … below <paramref name="end"/> (above, for a negative step), like torch.arange.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.F32)
    {
        if (step == 0 || double.IsNaN(step) || double.IsNaN(start) || double.IsNaN(end))
            throw new ArgumentOutOfRangeException(nameof(step), $"Arange: start {start}, end {end}, step {step}; expected a non-zero step and finite bounds.");
        double count = Math.Ceiling((end - start) / step);
        if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(end), $"Arange: {count} elements is too many.");
        int n = Math.Max(0, (int)count);
        var t = Empty([n], dtype);
        for (int i = 0; i < n; i++) ElementAccess.Write(t.Data, dtype, i, start + i * step);
        return t;
    }

    /// <summary>0, 1, …, count - 1.</summary>
    public static Tensor Arange(int count, DType dtype = DType.F32) => Arange(0, count, 1, dtype);

    /// <summary>Fills this (contiguous, freshly allocated) tensor with one value.</summary>
    private void FillUnchecked(double value)
    {
        long n = ElementCount;
        if (n == 0) return;
        byte* p = Data;
        ElementAccess.Write(p, DType, 0, value);
        switch (DType.Size())
        {
            case 1: new Span<byte>(p, checked((int)n)).Fill(p[0]); break;
            case 2: Fill((short*)p, n); break;
            case 4: Fill((int*)p, n); break;
            default: Fill((long*)p, n); break;
        }

        static void Fill<T>(T* p, long n) where T : unmanaged
        {
            T v = p[0];
            for (long i = 0; i < n; i += int.MaxValue)
                new Span<T>(p + i, (int)Math.Min(int.MaxValue, n - i)).Fill(v);
        }
    }
}
