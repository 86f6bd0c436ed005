using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>Instruction-set level of a kernel path (tests run every level the machine has against the reference).</summary>
internal enum KernelIsa
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// General matrix multiply, float32 accumulate: <c>C = alpha * A·B + beta * C</c> with A [M,K], B [K,N]
/// given as strided views (any dtype of <see cref="MatrixView"/>), C row-major float32 with leading
/// dimension ldc. Deterministic: every C element is reduced over K in the same order whatever the
/// thread count.
/// </summary>
/// <remarks>
/// Fast path (<see cref="GemmDriver"/>): each element is <c>beta·c</c> (or 0 when beta = 0, ignoring NaN in C
/// as the reference does) followed by one multiply-add per k in ascending order with <c>alpha·a[i,k]</c>,
/// fused on the vector paths. It differs from <see cref="Reference"/> only by rounding (where alpha and beta
/// enter, fused vs separate multiply-add), and is bit-identical across thread counts, tile shapes and the
/// small-problem path of the same instruction-set level.
/// </remarks>
internal static unsafe partial class Gemm
{
    // Problems up to this many multiply-adds skip packing (32³: packing would cost more than it saves).
    private const long SmallProblem = 32 * 32 * 32;

    /// <summary>The best path this machine (and the DOTNET_EnableHWIntrinsic/EnableAVX512F settings) allows.</summary>
    public static KernelIsa BestIsa { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelIsa.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported ? KernelIsa.Vector256
        : KernelIsa.Scalar;

    public static void Multiply(in MatrixView a, in MatrixView b, float* c, long ldc, float alpha = 1f, float beta = 0f)
        => Multiply(BestIsa, a, b, c, ldc, alpha, beta);

    /// <summary>As <see cref="Multiply(in MatrixView, in MatrixView, float*, long, float, float)"/> on a chosen path (tests, benchmarks).</summary>
    public static void Multiply(KernelIsa isa, in MatrixView a, in MatrixView b, float* c, long ldc, float alpha = 1f, float beta = 0f)
    {
        Check(a, b, c, ldc);
        int m = a.Rows, n = b.Cols, k = a.Cols;
        if ((long)m * n * k <= SmallProblem) { Small(isa, a, b, c, ldc, alpha, beta); return; }
        MultiplyBlocked(isa, a, b, c, ldc, alpha, beta);
    }

    /// <summary>
    /// C = A·B + bias + residual (bias [N] added to every row, residual laid out like C; either may be null;
    /// float32): the same arithmetic as filling every row of C with the bias, calling
    /// <see cref="Multiply(in MatrixView, in MatrixView, float*, long, float, float)"/> with beta = 1 and then adding
    /// the residual in a separate pass; but the packed path writes the bias into each tile just before it is
    /// accumulated and adds the residual while the tile is still in L1, saving two passes over C.
    /// </summary>
    public static void MultiplyWithEpilogue(in MatrixView a, in MatrixView b, float* c, long ldc, float* bias, float* residual)
    {
        Check(a, b, c, ldc);
        int m = a.Rows, n = b.Cols, k = a.Cols;
        if ((long)m * n * k <= SmallProblem)
        {
            if (bias is not null)
                for (int i = 0; i < m; i++) new ReadOnlySpan<float>(bias, n).CopyTo(new Span<float>(c + i * ldc, n));
            Small(BestIsa, a, b, c, ldc, 1f, bias is null ? 0f : 1f);
            if (residual is not null)
                for (int i = 0; i < m; i++) BinaryKernel.Apply(new AddOperator(), c + i * ldc, residual + i * ldc, c + i * ldc, n);
            return;
        }
        Blocked(BestIsa, m, n, k, StridedPacker.ForA(a, 1f, Supported(BestIsa)), StridedPacker.ForB(b, Supported(BestIsa)), c, ldc, 0f,
            new GemmDriver.GemmOutput(n, 0, colBias: bias, residual: residual));
    }

    /// <summary>The packed, blocked path whatever the size (tests reach its tails with small sizes through it).</summary>
    internal static void MultiplyBlocked(KernelIsa isa, in MatrixView a, in MatrixView b, float* c, long ldc, float alpha, float beta)
    {
        Check(a, b, c, ldc);
        int m = a.Rows, n = b.Cols, k = a.Cols;
        Blocked(isa, m, n, k, StridedPacker.ForA(a, alpha, Supported(isa)), StridedPacker.ForB(b, Supported(isa)), c, ldc, beta);
    }

    /// <summary>Runs the blocked driver with the kernel of <paramref name="isa"/> over any pair of packers.</summary>
    internal static void Blocked<TA, TB>(KernelIsa isa, int m, int n, int k, TA a, TB b, float* c, long ldc, float beta)
        where TA : struct, IGemmPacker
        where TB : struct, IGemmPacker
    {
        switch (Supported(isa))
        {
            case KernelIsa.Vector512: GemmDriver.Run<GemmKernel512, TA, TB>(m, n, k, a, b, c, ldc, beta); break;
            case KernelIsa.Vector256: GemmDriver.Run<GemmKernel256, TA, TB>(m, n, k, a, b, c, ldc, beta); break;
            default: GemmDriver.Run<GemmKernelScalar, TA, TB>(m, n, k, a, b, c, ldc, beta); break;
        }
    }

    /// <summary>As <see cref="Blocked{TA, TB}(KernelIsa, int, int, int, TA, TB, float*, long, float)"/> with C's columns in segments (see <see cref="GemmDriver.GemmOutput"/>).</summary>
    internal static void Blocked<TA, TB>(KernelIsa isa, int m, int n, int k, TA a, TB b, float* c, long ldc, float beta, GemmDriver.GemmOutput columns)
        where TA : struct, IGemmPacker
        where TB : struct, IGemmPacker
    {
        switch (Supported(isa))
        {
            case KernelIsa.Vector512: GemmDriver.Run<GemmKernel512, TA, TB>(m, n, k, a, b, c, ldc, beta, columns); break;
            case KernelIsa.Vector256: GemmDriver.Run<GemmKernel256, TA, TB>(m, n, k, a, b, c, ldc, beta, columns); break;
            default: GemmDriver.Run<GemmKernelScalar, TA, TB>(m, n, k, a, b, c, ldc, beta, columns); break;
        }
    }

    /// <summary>The width of a packed B panel (the micro-kernel's NR) on the path of <paramref name="isa"/>.</summary>
    internal static int PanelWidth(KernelIsa isa) => Supported(isa) switch
    {
        KernelIsa.Vector512 => GemmKernel512.NR,
        KernelIsa.Vector256 => GemmKernel256.NR,
        _ => GemmKernelScalar.NR,
    };

    /// <summary>Batched form: operand i starts at Data + i * batchStride (in elements).</summary>
    public static void MultiplyBatched(int batch, in MatrixView a, long batchStrideA, in MatrixView b, long batchStrideB,
        float* c, long ldc, long batchStrideC, float alpha = 1f, float beta = 0f)
        => MultiplyBatched(BestIsa, batch, a, batchStrideA, b, batchStrideB, c, ldc, batchStrideC, alpha, beta);

    public static void MultiplyBatched(KernelIsa isa, int batch, in MatrixView a, long batchStrideA, in MatrixView b, long batchStrideB,
        float* c, long ldc, long batchStrideC, float alpha = 1f, float beta = 0f)
    {
        Check(a, b, c, ldc);
        if (batch < 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "gemm batched: batch count must be non-negative.");
        var a0 = a;
        var b0 = b;
        int sa = a.Type.Size(), sb = b.Type.Size();
        void One(int i) => Multiply(isa,
            new MatrixView((byte*)a0.Data + i * batchStrideA * sa, a0.Type, a0.Rows, a0.Cols, a0.RowStride, a0.ColStride),
            new MatrixView((byte*)b0.Data + i * batchStrideB * sb, b0.Type, b0.Rows, b0.Cols, b0.RowStride, b0.ColStride),
            c + i * batchStrideC, ldc, alpha, beta);

        // Small matrices (attention heads, per-group products): one whole product per worker. A product runs
        // the same code on any thread, so the split does not change results. Large ones parallelise inside.
        if ((long)a.Rows * b.Cols * a.Cols < (1L << 21))
            Parallelism.For(batch, One);
        else
            for (int i = 0; i < batch; i++) One(i);
    }

    /// <summary>The definition: naive triple loop, K reduced in ascending order. Tests compare every fast path to it.</summary>
    public static void Reference(in MatrixView a, in MatrixView b, float* c, long ldc, float alpha, float beta)
    {
        int m = a.Rows, n = b.Cols, k = a.Cols;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                    sum += a[i, p] * b[p, j];
                float* cij = c + i * ldc + j;
                *cij = beta == 0f ? alpha * sum : alpha * sum + beta * *cij;
            }
    }

    private static KernelIsa Supported(KernelIsa isa) => isa switch
    {
        KernelIsa.Vector512 when BestIsa == KernelIsa.Vector512 => KernelIsa.Vector512,
        KernelIsa.Vector256 or KernelIsa.Vector512 when BestIsa >= KernelIsa.Vector256 => KernelIsa.Vector256,
        _ => KernelIsa.Scalar,
    };

    /// <summary>Whether the paths of <paramref name="isa"/> fuse multiply and add.</summary>
    internal static bool IsFused(KernelIsa isa) => Supported(isa) != KernelIsa.Scalar;

    private static void Check(in MatrixView a, in MatrixView b, float* c, long ldc)
    {
        if (a.Cols != b.Rows)
            throw new ArgumentException($"gemm: inner dimensions differ: A is [{a.Rows}, {a.Cols}], B is [{b.Rows}, {b.Cols}]; expected A.cols == B.rows.");
        if (a.Rows < 0 || a.Cols < 0 || b.Cols < 0)
            throw new ArgumentException($"gemm: negative dimension: A is [{a.Rows}, {a.Cols}], B is [{b.Rows}, {b.Cols}].");
        if (a.Rows > 1 && ldc < b.Cols)
            throw new ArgumentException($"gemm: C rows overlap: ldc = {ldc} but C is [{a.Rows}, {b.Cols}]; expected ldc >= {b.Cols}.");
        if (c is null && (long)a.Rows * b.Cols > 0)
            throw new ArgumentNullException(nameof(c), $"gemm: C is null for a [{a.Rows}, {b.Cols}] result.");
    }
}
