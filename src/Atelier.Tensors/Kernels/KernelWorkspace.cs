using System.Runtime.InteropServices;

namespace Atelier.Tensors.Kernels;

/// <summary>64-byte aligned scratch that lives as long as its thread (at most 32 MiB of packed B on a
/// calling thread, an A block of up to ~270 KiB on each worker, the backward-input column chunk of
/// up to 16 MiB on the caller of that pass); grown on demand, freed by a finalizer when the
/// thread ends.</summary>
internal static unsafe class KernelWorkspace
{
    [ThreadStatic] private static Buffer? t_shared;
    [ThreadStatic] private static Buffer? t_local;
    [ThreadStatic] private static Buffer? t_columns;

    /// <summary>The packed B of one GEMM call (the calling thread owns it, all workers read it).</summary>
    public static float* Shared(long floats) => (t_shared ??= new Buffer()).Get(floats);

    /// <summary>One task's packed A block.</summary>
    public static float* ThreadLocal(long floats) => (t_local ??= new Buffer()).Get(floats);

    /// <summary>Column-gradient chunk of the convolution's backward-input pass (caller of the pass).</summary>
    public static float* Columns(long floats) => (t_columns ??= new Buffer()).Get(floats);

    private sealed class Buffer
    {
        private float* _data;
        private long _capacity;

        public float* Get(long floats)
        {
            if (floats > _capacity)
            {
                long grown = Math.Max(floats, _capacity * 3 / 2);
                NativeMemory.AlignedFree(_data);
                _data = null;
                _capacity = 0;
                _data = (float*)NativeMemory.AlignedAlloc((nuint)(grown * sizeof(float)), 64);
                _capacity = grown;
            }
            return _data;
        }

        ~Buffer() => NativeMemory.AlignedFree(_data);
    }
}
