using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Gated GELU (Shazeer 2020; diffusers <c>GEGLU</c> after its projection): x [..., 2·D] is split in half along the
    /// last dimension into value and gate, → value · GELU(gate) [..., D] with the exact (erf) GELU. Bit-identical to
    /// <c>value.Mul(gate.Gelu())</c> on the two <see cref="Tensor.Chunk"/> halves, without materialising either half.
    /// When gradients are recorded it runs as exactly that composition, so autograd sees ordinary ops.
    /// </summary>
    public static unsafe Tensor Geglu(this Tensor x)
    {
        const string op = "geglu";
        using var profile = OpProfiler.Measure(op);
        Elementwise.RequireFloat(op, x);
        if (x.Rank == 0 || x.Shape[-1] % 2 != 0)
            throw new TensorShapeException(op, $"input {x.Shape}", "a last dimension of even size (value and gate halves)");
        if (Autograd.ShouldRecord(x))
        {
            Tensor[] halves = x.Chunk(2, -1);                                 // 2 x [..., D] (views)
            return halves[0].Mul(halves[1].Gelu());
        }
        int d = x.Shape[-1] / 2;
        Tensor src = x.AsF32Contiguous();                                     // [rows, 2·D] in memory
        var y = Tensor.Empty(x.Shape.With(x.Rank - 1, d));                    // [..., D]
        GegluKernel.Forward(src.F32, y.F32, d == 0 ? 0 : y.ElementCount / d, d);
        GC.KeepAlive(src);
        return y;
    }
}
