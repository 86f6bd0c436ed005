namespace Atelier.Tensors.Kernels;

/// <summary>
/// A strided 2-D operand for the GEMM kernels: element (r, c) lives at
/// <c>Data + (r * RowStride + c * ColStride) * Type.Size()</c>. Transposes and non-contiguous views
/// are expressed through the strides, so callers never copy to transpose. <see cref="Type"/> is F32,
/// F16 or BF16; half types are widened to float32 while packing.
/// </summary>
internal readonly unsafe struct MatrixView
{
    public readonly void* Data;
    public readonly DType Type;
    public readonly int Rows;
    public readonly int Cols;
    public readonly long RowStride;
    public readonly long ColStride;

    public MatrixView(void* data, DType type, int rows, int cols, long rowStride, long colStride)
    {
        if (type is not (DType.F32 or DType.F16 or DType.BF16))
            throw new ArgumentException($"MatrixView: dtype {type} is not a floating type (expected F32, F16 or BF16).", nameof(type));
        Data = data; Type = type; Rows = rows; Cols = cols; RowStride = rowStride; ColStride = colStride;
    }

    /// <summary>A row-major float32 matrix with leading dimension <paramref name="ld"/>.</summary>
    public static MatrixView RowMajor(float* data, int rows, int cols, long ld) => new(data, DType.F32, rows, cols, ld, 1);

    /// <summary>The transpose, as a view (no copy).</summary>
    public MatrixView Transposed => new(Data, Type, Cols, Rows, ColStride, RowStride);

    /// <summary>Element (r, c) widened to float32 (slow path: references and tails only).</summary>
    public float this[int r, int c]
    {
        get
        {
            long i = r * RowStride + c * ColStride;
            return Type switch
            {
                DType.F32 => ((float*)Data)[i],
                DType.F16 => (float)((Half*)Data)[i],
                _ => BitConverter.Int32BitsToSingle(((ushort*)Data)[i] << 16),
            };
        }
    }
}
