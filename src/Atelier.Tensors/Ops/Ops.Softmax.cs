using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Softmax over <paramref name="dim"/>: e^(x - max) / Σ e^(x - max). Rows sum to 1; a row with NaN, or whose
    /// maximum is ±∞ (e.g. entirely -∞), is NaN. Fastest over the last dimension (other dimensions are moved
    /// last with a copy).
    /// </summary>
    public static Tensor Softmax(this Tensor x, int dim = -1) => SoftmaxCore("softmax", x, dim, log: false);

    /// <summary>Log-softmax over <paramref name="dim"/>: x - max - ln Σ e^(x - max) (stable for large logits).</summary>
    public static Tensor LogSoftmax(this Tensor x, int dim = -1) => SoftmaxCore("log_softmax", x, dim, log: true);

    private static unsafe Tensor SoftmaxCore(string op, Tensor x, int dim, bool log)
    {
        Elementwise.RequireFloat(op, x);
        if (x.Rank == 0)
            throw new TensorShapeException(op, "tensor is a scalar []", "a tensor of rank 1 or more");
        int d = x.Shape.Axis(dim, op);
        int last = x.Rank - 1;
        Tensor src = (d == last ? x : x.Detach().Transpose(d, last)).AsF32Contiguous();   // [..., n] rows
        int n = src.Shape[-1];
        long rows = n == 0 ? 0 : src.ElementCount / n;
        var y = Tensor.Empty(src.Shape);
        if (log) SoftmaxKernel.LogSoftmax(src.F32, y.F32, rows, n);
        else SoftmaxKernel.Softmax(src.F32, y.F32, rows, n);
        GC.KeepAlive(src);
        Tensor result = d == last ? y : y.Transpose(d, last).Contiguous();
        if (Autograd.ShouldRecord(x))
        {
            var node = Autograd.Record(result, op, log ? Derivatives.LogSoftmax : Derivatives.Softmax, x);
            node.Saved = [result.Detach()];
            node.Ints = [d];
        }
        return result;
    }
}
