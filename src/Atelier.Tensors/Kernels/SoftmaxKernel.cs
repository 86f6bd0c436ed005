using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>e^(x - shift): the exponentials of a numerically stable softmax.</summary>
internal readonly struct ExpShiftOperator(float shift) : IUnaryOperator
{
    public float Invoke(float x) => MathF.Exp(x - shift);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x - Vector256.Create(shift));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x - Vector512.Create(shift));
}

/// <summary>
/// Softmax and log-softmax over contiguous rows: y = e^(x - max) / Σ e^(x - max) and x - max - ln Σ e^(x - max).
/// Built from the vectorised primitives (max, shifted exp, sum); <see cref="SoftmaxReference"/> and
/// <see cref="LogSoftmaxReference"/> are the scalar definitions. A row containing NaN, or whose maximum is ±∞
/// (e.g. fully masked with -∞), gives NaN, as PyTorch.
/// </summary>
internal static unsafe class SoftmaxKernel
{
    private const long ChunkElements = 1 << 15;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(float* x, float* y, long rows, int n)
    {
        ForRows(rows, n, r =>
        {
            float* xr = x + r * n, yr = y + r * n;
            float max = MaxKernel.Max(xr, n);
            UnaryKernel.Apply(new ExpShiftOperator(max), xr, yr, n);
            float sum = SumKernel.Sum(yr, n);
            UnaryKernel.Apply(new BoundRight<MultiplyOperator>(default, 1f / sum), yr, yr, n);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(float* x, float* y, long rows, int n)
    {
        ForRows(rows, n, r =>
        {
            float* xr = x + r * n, yr = y + r * n;
            float max = MaxKernel.Max(xr, n);
            UnaryKernel.Apply(new ExpShiftOperator(max), xr, yr, n);
            float logSum = MathF.Log(SumKernel.Sum(yr, n));
            UnaryKernel.Apply(new BoundRight<SubtractOperator>(default, max + logSum), xr, yr, n);
        });
    }

    public static void SoftmaxReference(float* x, float* y, long rows, int n)
    {
        for (long r = 0; r < rows; r++)
        {
            float* xr = x + r * n, yr = y + r * n;
            float max = MaxKernel.MaxScalar(xr, n);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                yr[i] = MathF.Exp(xr[i] - max);
                sum += yr[i];
            }
            float inv = 1f / (float)sum;
            for (int i = 0; i < n; i++) yr[i] *= inv;
        }
    }

    public static void LogSoftmaxReference(float* x, float* y, long rows, int n)
    {
        for (long r = 0; r < rows; r++)
        {
            float* xr = x + r * n, yr = y + r * n;
            float max = MaxKernel.MaxScalar(xr, n);
            double sum = 0;
            for (int i = 0; i < n; i++) sum += MathF.Exp(xr[i] - max);
            float shift = max + MathF.Log((float)sum);
            for (int i = 0; i < n; i++) yr[i] = xr[i] - shift;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForRows(long rows, int n, Action<long> row)
    {
        long rowsPerItem = Math.Max(1, ChunkElements / Math.Max(1, n));
        int items = checked((int)((rows + rowsPerItem - 1) / rowsPerItem));
        Parallelism.For(items, item =>
        {
            long r1 = Math.Min(rows, (item + 1) * rowsPerItem);
            for (long r = item * rowsPerItem; r < r1; r++) row(r);
        });
    }
}
