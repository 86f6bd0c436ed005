using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>How a test operand is laid out: row-major, column-major (a transposed view), or with padded, non-unit strides.</summary>
public enum Layout { RowMajor, ColMajor, Padded }

/// <summary>
/// A seeded random matrix in native memory, stored as F32/F16/BF16, row-major, transposed (column-major) or
/// with padded strides, exposed as a <see cref="MatrixView"/>. Values are exactly representable in the
/// storage type, so every layout of the same seed holds the same numbers.
/// </summary>
internal sealed unsafe class GemmTestMatrix : IDisposable
{
    public readonly int Rows, Cols;
    public readonly DType Type;
    public readonly MatrixView View;
    private readonly void* _data;
    private readonly float[] _values; // [Rows, Cols] row-major, as stored

    public GemmTestMatrix(int rows, int cols, DType type, Layout layout, int seed)
    {
        Rows = rows; Cols = cols; Type = type;
        var rng = new Random(seed);
        _values = new float[(long)rows * cols];
        for (int i = 0; i < _values.Length; i++)
        {
            float v = (float)(rng.NextDouble() * 2 - 1);
            _values[i] = type switch
            {
                DType.F16 => (float)(Half)v,
                DType.BF16 => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & unchecked((int)0xFFFF0000)),
                _ => v,
            };
        }
        (long rs, long cs, long elements) = layout switch
        {
            Layout.RowMajor => ((long)cols, 1L, (long)rows * cols),
            Layout.ColMajor => (1L, (long)rows, (long)rows * cols),
            _ => ((long)cols * 3 + 5, 2L, ((long)cols * 3 + 5) * Math.Max(rows, 1)),
        };
        long bytes = Math.Max(1, elements * type.Size());
        _data = NativeMemory.AllocZeroed((nuint)bytes);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                long at = r * rs + c * cs;
                float v = _values[(long)r * cols + c];
                switch (type)
                {
                    case DType.F32: ((float*)_data)[at] = v; break;
                    case DType.F16: ((Half*)_data)[at] = (Half)v; break;
                    default: ((ushort*)_data)[at] = (ushort)(BitConverter.SingleToInt32Bits(v) >> 16); break;
                }
            }
        View = new MatrixView(_data, type, rows, cols, rs, cs);
    }

    public float this[int r, int c] => _values[(long)r * Cols + c];

    public void Dispose() => NativeMemory.Free(_data);
}

/// <summary>A float32 C buffer with a leading dimension larger than its width (to catch writes past a row).</summary>
internal sealed unsafe class GemmTestOutput : IDisposable
{
    public readonly int Rows, Cols;
    public readonly long Ld;
    public readonly float* Data;
    private readonly long _length;

    public GemmTestOutput(int rows, int cols, int seed, int padding = 3)
    {
        Rows = rows; Cols = cols; Ld = cols + padding;
        _length = Math.Max(1, rows * Ld);
        Data = (float*)NativeMemory.Alloc((nuint)(_length * sizeof(float)));
        var rng = new Random(seed);
        for (long i = 0; i < _length; i++) Data[i] = (float)(rng.NextDouble() * 2 - 1);
    }

    public GemmTestOutput Clone()
    {
        var copy = new GemmTestOutput(Rows, Cols, 0, (int)(Ld - Cols));
        Buffer.MemoryCopy(Data, copy.Data, _length * sizeof(float), _length * sizeof(float));
        return copy;
    }

    public float[] All() => new Span<float>(Data, (int)_length).ToArray();

    public void Dispose() => NativeMemory.Free(Data);
}
