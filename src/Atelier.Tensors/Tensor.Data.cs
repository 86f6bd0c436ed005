using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>
    /// The elements in row-major order as <typeparamref name="T"/>, which must be the storage type of
    /// <see cref="DType"/>: float (F32), Half (F16), ushort (BF16 bit patterns), int (I32), long (I64),
    /// byte (U8, Bool) or bool (Bool). Use <see cref="ToFloatArray"/> to widen.
    /// </summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        bool ok = DType switch
        {
            DType.F32 => typeof(T) == typeof(float),
            DType.F16 => typeof(T) == typeof(Half),
            DType.BF16 => typeof(T) == typeof(ushort),
            DType.I32 => typeof(T) == typeof(int),
            DType.I64 => typeof(T) == typeof(long),
            DType.U8 => typeof(T) == typeof(byte),
            DType.Bool => typeof(T) == typeof(byte) || typeof(T) == typeof(bool),
            _ => false,
        };
        if (!ok)
            throw new TensorDTypeException("ToArray", $"element type {typeof(T).Name} does not match dtype {DType} of tensor {Shape}", "the storage type of the dtype (float, Half, ushort for BF16, int, long, byte or bool); ToFloatArray() widens");
        var result = new T[checked((int)ElementCount)];
        fixed (T* p = result)
            StridedCopy.Copy(Shape.Dims, Data, _strides, DType, (byte*)p, ContiguousStrides(Shape), DType);
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>The elements in row-major order widened/converted to float32 (any dtype; Bool is 0/1).</summary>
    public float[] ToFloatArray()
    {
        var result = new float[checked((int)ElementCount)];
        fixed (float* p = result)
            StridedCopy.Copy(Shape.Dims, Data, _strides, DType, (byte*)p, ContiguousStrides(Shape), DType.F32);
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>The value of a one-element tensor (any rank), as float32.</summary>
    public float Item()
    {
        if (ElementCount != 1)
            throw new TensorShapeException("item", $"tensor has shape {Shape} ({ElementCount} elements)", "exactly one element");
        float value = (float)ElementAccess.Read(Data, DType, 0);
        GC.KeepAlive(this);   // the block must not be finalized while the pointer is read
        return value;
    }

    /// <summary>The value of a one-element integer (or float, truncated) tensor as a 64-bit integer.</summary>
    public long ItemInt64()
    {
        if (ElementCount != 1)
            throw new TensorShapeException("item", $"tensor has shape {Shape} ({ElementCount} elements)", "exactly one element");
        long value = DType.IsFloating() ? (long)ElementAccess.Read(Data, DType, 0) : ElementAccess.ReadInteger(Data, DType, 0);
        GC.KeepAlive(this);
        return value;
    }

    /// <summary>One element, as float32 (slow: tests and debugging). Indices may be negative.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get
        {
            if (index.Length != Rank)
                throw new TensorShapeException("index", $"{index.Length} indices for tensor {Shape}", $"{Rank} indices");
            long offset = 0;
            for (int i = 0; i < index.Length; i++)
            {
                int size = Shape.Dims[i];
                int k = index[i] < 0 ? index[i] + size : index[i];
                if ((uint)k >= (uint)size)
                    throw new TensorShapeException("index", $"index {index[i]} is out of range for dimension {i} of size {size} in tensor {Shape}", $"an index in [{-size}, {size - 1}]");
                offset += k * _strides[i];
            }
            float value = (float)ElementAccess.Read(Data, DType, offset);
            GC.KeepAlive(this);
            return value;
        }
    }
}
