namespace Atelier.Tensors;

/// <summary>Reads and writes single elements of any dtype as double (slow path: scalars, tests, integer tensors).</summary>
internal static unsafe class ElementAccess
{
    public static double Read(byte* p, DType type, long index) => type switch
    {
        DType.F32 => ((float*)p)[index],
        DType.F16 => (double)((Half*)p)[index],
        DType.BF16 => Kernels.CastKernel.BFloat16ToSingle(((ushort*)p)[index]),
        DType.I32 => ((int*)p)[index],
        DType.I64 => ((long*)p)[index],
        DType.U8 => p[index],
        DType.Bool => p[index] != 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };

    /// <summary>Reads an integer-typed element exactly (ids, indices, targets).</summary>
    public static long ReadInteger(byte* p, DType type, long index) => type switch
    {
        DType.I32 => ((int*)p)[index],
        DType.I64 => ((long*)p)[index],
        DType.U8 or DType.Bool => p[index],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an integer dtype"),
    };

    /// <summary>Writes <paramref name="value"/> converted like a PyTorch cast: round-to-nearest for float types, truncation toward zero for integers, != 0 for Bool.</summary>
    public static void Write(byte* p, DType type, long index, double value)
    {
        switch (type)
        {
            case DType.F32: ((float*)p)[index] = (float)value; break;
            case DType.F16: ((Half*)p)[index] = (Half)(float)value; break;
            case DType.BF16: ((ushort*)p)[index] = Kernels.CastKernel.SingleToBFloat16((float)value); break;
            case DType.I32: ((int*)p)[index] = (int)value; break;
            case DType.I64: ((long*)p)[index] = (long)value; break;
            case DType.U8: p[index] = (byte)(long)value; break;
            case DType.Bool: p[index] = value != 0 ? (byte)1 : (byte)0; break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype");
        }
    }
}
