using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy of <paramref name="logits"/> [N, C] against class indices <paramref name="targets"/> [N]
    /// (I64 or I32), as torch.nn.functional.cross_entropy(reduction="mean"): mean over i of -log softmax(logits_i)[t_i].
    /// Every target is checked to be in [0, C) first.
    /// </summary>
    public static unsafe Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        const string op = "cross_entropy";
        Elementwise.RequireFloat(op, logits);
        if (targets.DType is not (DType.I32 or DType.I64))
            throw new TensorDTypeException(op, $"targets {targets.Shape} have dtype {targets.DType}", "I64 (or I32) class indices");
        if (logits.Rank != 2 || targets.Rank != 1 || targets.Shape[0] != logits.Shape[0])
            throw new TensorShapeException(op, $"logits {logits.Shape}, targets {targets.Shape}", "logits [N, C] and targets [N]");
        int n = logits.Shape[0], c = logits.Shape[1];
        Tensor t = targets.Contiguous();
        for (int i = 0; i < n; i++)
        {
            long target = ElementAccess.ReadInteger(t.Data, t.DType, i);
            if ((ulong)target >= (ulong)c)
                throw new TensorShapeException(op, $"target {target} at position {i} is out of range for {c} classes (logits {logits.Shape})", $"0 <= target < {c}");
        }
        Tensor src = logits.AsF32Contiguous();
        var logProbabilities = Tensor.Empty([n, c]);
        SoftmaxKernel.LogSoftmax(src.F32, logProbabilities.F32, n, c);
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum -= logProbabilities.F32[(long)i * c + ElementAccess.ReadInteger(t.Data, t.DType, i)];
        GC.KeepAlive(src);
        var y = Tensor.Scalar((float)(sum / n));
        if (Autograd.ShouldRecord(logits)) Autograd.Record(y, op, Derivatives.CrossEntropy, logits, targets).Saved = [logProbabilities];
        return y;
    }

    /// <summary>Mean squared error mean((input - target)²), as torch.nn.functional.mse_loss; the shapes must be equal.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target)
    {
        if (input.Shape != target.Shape)
            throw new TensorShapeException("mse_loss", $"input {input.Shape} and target {target.Shape}", "equal shapes (no implicit broadcasting in a loss)");
        return Mean(Square(Sub(input, target)));
    }
}
