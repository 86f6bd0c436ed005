using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>How an attention operand [B, H, N, D] sits in memory.</summary>
public enum AttentionLayoutKind
{
    /// <summary>[B, H, N, D] contiguous.</summary>
    Contiguous,
    /// <summary>[B, N, H*D] contiguous, viewed as heads (a projection output, no permute copy).</summary>
    Interleaved,
    /// <summary>[B, N, H*D + 7]: rows padded, as a slice of a fused QKV projection would be.</summary>
    Padded,
}

/// <summary>
/// One seeded attention problem in native memory: inputs, outputs of the kernel under test and of the
/// reference, and for the backward dO with the three gradients of each. Test-only helper.
/// </summary>
internal sealed unsafe class AttentionCase : IDisposable
{
    private readonly List<nint> _allocations = [];

    public int Batch { get; }
    public int Heads { get; }
    public int Nq { get; }
    public int Nk { get; }
    public int Dim { get; }
    public bool Causal { get; }
    public float Scale { get; set; }

    public AttentionLayout QLayout { get; }
    public AttentionLayout KLayout { get; }
    public AttentionLayout VLayout { get; }
    public AttentionLayout OLayout { get; }

    public float* Q { get; }
    public float* K { get; }
    public float* V { get; }
    public float* O { get; }
    public float* Lse { get; }
    public float* ORef { get; }
    public float* LseRef { get; }
    public float* GradO { get; }
    public float* GradQ { get; }
    public float* GradK { get; }
    public float* GradV { get; }
    public float* GradQRef { get; }
    public float* GradKRef { get; }
    public float* GradVRef { get; }

    public AttentionCase(int batch, int heads, int nq, int nk, int dim, bool causal, int seed,
        AttentionLayoutKind qLayout = AttentionLayoutKind.Contiguous, AttentionLayoutKind kvLayout = AttentionLayoutKind.Contiguous)
    {
        Batch = batch; Heads = heads; Nq = nq; Nk = nk; Dim = dim; Causal = causal;
        Scale = dim > 0 ? 1f / MathF.Sqrt(dim) : 1f;
        QLayout = Layout(qLayout, nq); OLayout = QLayout;
        KLayout = Layout(kvLayout, nk); VLayout = KLayout;
        var rng = new Random(seed);
        Q = Operand(QLayout, nq, rng); K = Operand(KLayout, nk, rng); V = Operand(VLayout, nk, rng);
        GradO = Operand(OLayout, nq, rng);
        O = Operand(OLayout, nq, rng); ORef = Operand(OLayout, nq, rng);
        GradQ = Operand(QLayout, nq, rng); GradQRef = Operand(QLayout, nq, rng);
        GradK = Operand(KLayout, nk, rng); GradKRef = Operand(KLayout, nk, rng);
        GradV = Operand(VLayout, nk, rng); GradVRef = Operand(VLayout, nk, rng);
        Lse = Alloc((long)batch * heads * nq, rng); LseRef = Alloc((long)batch * heads * nq, rng);
    }

    public string Describe() =>
        $"B={Batch} H={Heads} Nq={Nq} Nk={Nk} D={Dim} causal={Causal} scale={Scale} Q/O {QLayout} K/V {KLayout}";

    /// <summary>Multiplies Q by a factor chosen so that the largest |scale · q·k| is exactly <paramref name="target"/>.</summary>
    public void ScaleScoresTo(float target)
    {
        double largest = 0;
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < Nq; i++)
                    for (int j = 0; j < Nk; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < Dim; d++) dot += (double)At(Q, QLayout, b, h, i)[d] * At(K, KLayout, b, h, j)[d];
                        largest = Math.Max(largest, Math.Abs(dot * Scale));
                    }
        float factor = (float)(target / largest);
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < Nq; i++)
                {
                    float* row = At(Q, QLayout, b, h, i);
                    for (int d = 0; d < Dim; d++) row[d] *= factor;
                }
    }

    public void RunReferenceForward() =>
        AttentionKernel.ForwardReference(Batch, Heads, Nq, Nk, Dim, Q, QLayout, K, KLayout, V, VLayout, ORef, OLayout, Scale, Causal, LseRef);

    public void RunForward(AttentionIsa isa, bool withLse = true) =>
        AttentionKernel.Forward(isa, Batch, Heads, Nq, Nk, Dim, Q, QLayout, K, KLayout, V, VLayout, O, OLayout, Scale, Causal, withLse ? Lse : null);

    /// <summary>The reference backward, from the reference forward's O and log-sum-exp.</summary>
    public void RunReferenceBackward() =>
        AttentionKernel.BackwardReference(Batch, Heads, Nq, Nk, Dim, Q, QLayout, K, KLayout, V, VLayout, ORef, OLayout, GradO, OLayout, LseRef,
            GradQRef, QLayout, GradKRef, KLayout, GradVRef, VLayout, Scale, Causal);

    /// <summary>The backward under test, from the forward's O and log-sum-exp (run <see cref="RunForward"/> first).</summary>
    public void RunBackward(AttentionIsa isa) =>
        AttentionKernel.Backward(isa, Batch, Heads, Nq, Nk, Dim, Q, QLayout, K, KLayout, V, VLayout, O, OLayout, GradO, OLayout, Lse,
            GradQ, QLayout, GradK, KLayout, GradV, VLayout, Scale, Causal);

    public static float* At(float* data, in AttentionLayout layout, int b, int h, int row) =>
        data + b * layout.BatchStride + h * layout.HeadStride + row * layout.RowStride;

    /// <summary>Every element of a [B, H, rows, D] operand, in order, as a flat array (for bitwise comparisons).</summary>
    public float[] Snapshot(float* data, in AttentionLayout layout, int rows)
    {
        var values = new List<float>();
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < rows; i++)
                    for (int d = 0; d < Dim; d++) values.Add(At(data, layout, b, h, i)[d]);
        return [.. values];
    }

    /// <summary>The raw buffer behind an operand, including the gaps a padded layout leaves between rows.</summary>
    public float[] Raw(float* data, in AttentionLayout layout, int rows) => new Span<float>(data, (int)Span(layout, rows)).ToArray();

    /// <summary>Fails when an element outside the operand's [B, H, rows, D] elements differs from <paramref name="before"/>.</summary>
    public void AssertGapsUnchanged(string name, float* data, in AttentionLayout layout, int rows, float[] before)
    {
        var inside = new bool[before.Length];
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < rows; i++)
                    for (int d = 0; d < Dim; d++) inside[b * layout.BatchStride + h * layout.HeadStride + i * layout.RowStride + d] = true;
        for (int x = 0; x < before.Length; x++)
            if (!inside[x] && BitConverter.SingleToInt32Bits(data[x]) != BitConverter.SingleToInt32Bits(before[x]))
                Assert.Fail($"{name}: element {x} lies between rows but was overwritten ({before[x]} -> {data[x]}); {Describe()}");
    }

    public void Dispose()
    {
        foreach (nint p in _allocations) NativeMemory.Free((void*)p);
        _allocations.Clear();
    }

    private AttentionLayout Layout(AttentionLayoutKind kind, int rows) => kind switch
    {
        AttentionLayoutKind.Contiguous => AttentionLayout.Contiguous(Heads, rows, Dim),
        AttentionLayoutKind.Interleaved => AttentionLayout.Interleaved(Heads, rows, Dim),
        _ => new AttentionLayout((long)rows * (Heads * Dim + 7), Dim, Heads * Dim + 7),
    };

    private float* Operand(in AttentionLayout layout, int rows, Random rng)
    {
        return Alloc(Span(layout, rows), rng);
    }

    private long Span(in AttentionLayout layout, int rows) =>
        (long)Batch * Heads * rows * Dim == 0 ? 1
            : (Batch - 1) * layout.BatchStride + (Heads - 1) * layout.HeadStride + (rows - 1) * layout.RowStride + Dim;

    // Uniform in [-1, 1); gaps between rows get values too, so a kernel that writes outside its rows is caught.
    private float* Alloc(long count, Random rng)
    {
        count = Math.Max(count, 1);
        var p = (float*)NativeMemory.Alloc((nuint)(count * sizeof(float)));
        _allocations.Add((nint)p);
        for (long i = 0; i < count; i++) p[i] = rng.NextSingle() * 2f - 1f;
        return p;
    }
}
