using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Layer normalisation over the trailing <paramref name="normalizedShape"/> dimensions, as
    /// torch.nn.functional.layer_norm: (x - E[x]) / √(Var[x] + eps) · weight + bias with the biased variance.
    /// weight and bias (optional, any float dtype) have <paramref name="normalizedShape"/>.
    /// </summary>
    public static unsafe Tensor LayerNorm(this Tensor x, Shape normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        const string op = "layer_norm";
        using var profile = OpProfiler.Measure(op);
        Elementwise.RequireFloat(op, x);
        int k = normalizedShape.Rank;
        if (k == 0 || k > x.Rank || !x.Shape.Dims[^k..].SequenceEqual(normalizedShape.Dims))
            throw new TensorShapeException(op, $"normalized shape {normalizedShape} for input {x.Shape}", "a non-empty normalized shape equal to the input's trailing dimensions");
        CheckAffine(op, "weight", weight, normalizedShape);
        CheckAffine(op, "bias", bias, normalizedShape);
        int n = checked((int)normalizedShape.ElementCount);
        long rows = n == 0 ? 0 : x.ElementCount / n;
        Tensor src = x.AsF32Contiguous();
        Tensor w = weight is null ? Tensor.Ones([n]) : weight.AsF32Contiguous();
        Tensor b = bias is null ? Tensor.Zeros([n]) : bias.AsF32Contiguous();
        var y = Tensor.Empty(x.Shape);
        var mean = Tensor.Empty([checked((int)rows)]);
        var rstd = Tensor.Empty([checked((int)rows)]);
        NormalizationKernel.LayerNorm(src.F32, w.F32, b.F32, y.F32, mean.F32, rstd.F32, rows, n, eps);
        GC.KeepAlive(src);
        GC.KeepAlive(w);
        GC.KeepAlive(b);
        if (Autograd.ShouldRecord(x, weight, bias))
        {
            var node = Autograd.Record(y, op, Derivatives.LayerNorm, x, weight, bias);
            node.Saved = [mean, rstd];
            node.Ints = [n];
        }
        return y;
    }

    /// <summary>
    /// Group normalisation, as torch.nn.functional.group_norm: x [N, C, *] with C split into
    /// <paramref name="groups"/> groups of consecutive channels; each (sample, group) is normalised with its own
    /// mean and biased variance, then scaled and shifted per channel by weight/bias ([C], optional).
    /// </summary>
    public static Tensor GroupNorm(this Tensor x, int groups, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
        => GroupNorm("group_norm", x, groups, weight, bias, eps, silu: false);

    /// <summary>
    /// SiLU(GroupNorm(x)) in one pass over the data (the pre-activation of the UNet's and VAE's residual blocks):
    /// bit-identical to <c>x.GroupNorm(...).Silu()</c>, without the intermediate tensor. When gradients are
    /// recorded it runs as exactly that composition.
    /// </summary>
    public static Tensor GroupNormSilu(this Tensor x, int groups, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        if (Autograd.ShouldRecord(x, weight, bias)) return x.GroupNorm(groups, weight, bias, eps).Silu();
        return GroupNorm("group_norm_silu", x, groups, weight, bias, eps, silu: true);
    }

    private static unsafe Tensor GroupNorm(string op, Tensor x, int groups, Tensor? weight, Tensor? bias, float eps, bool silu)
    {
        using var profile = OpProfiler.Measure(op);
        Elementwise.RequireFloat(op, x);
        if (x.Rank < 2)
            throw new TensorShapeException(op, $"input {x.Shape} has rank {x.Rank}", "an input [N, C, ...] of rank 2 or more");
        int n = x.Shape[0], c = x.Shape[1];
        if (groups <= 0 || c % groups != 0)
            throw new TensorShapeException(op, $"{c} channels of input {x.Shape} cannot be split into {groups} groups", "a positive group count dividing the channels");
        CheckAffine(op, "weight", weight, [c]);
        CheckAffine(op, "bias", bias, [c]);
        long s = c == 0 || n == 0 ? 0 : x.ElementCount / ((long)n * c);
        Tensor src = x.AsF32Contiguous();
        Tensor w = weight is null ? Tensor.Ones([c]) : weight.AsF32Contiguous();
        Tensor b = bias is null ? Tensor.Zeros([c]) : bias.AsF32Contiguous();
        var y = Tensor.Empty(x.Shape);
        var mean = Tensor.Empty([n, groups]);
        var rstd = Tensor.Empty([n, groups]);
        if (s > 0) NormalizationKernel.GroupNorm(src.F32, w.F32, b.F32, y.F32, mean.F32, rstd.F32, n, c, s, groups, eps, silu);
        GC.KeepAlive(src);
        GC.KeepAlive(w);
        GC.KeepAlive(b);
        if (!silu && Autograd.ShouldRecord(x, weight, bias))
        {
            var node = Autograd.Record(y, op, Derivatives.GroupNorm, x, weight, bias);
            node.Saved = [mean, rstd];
            node.Ints = [groups];
        }
        return y;
    }

    private static void CheckAffine(string op, string name, Tensor? t, Shape expected)
    {
        if (t is null) return;
        Elementwise.RequireFloat(op, t);
        if (t.Shape != expected)
            throw new TensorShapeException(op, $"{name} has shape {t.Shape}", $"{name} of shape {expected}");
    }
}
