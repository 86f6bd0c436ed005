using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation), as torch.nn.functional.conv2d: x [N, C, H, W], weight
    /// [O, C/groups, KH, KW] (F32, F16 or BF16, used without conversion), bias [O] (optional) →
    /// [N, O, OH, OW] with OH = (H + 2·padding - dilation·(KH - 1) - 1) / stride + 1 (same for W). With
    /// <paramref name="residual"/> (the output's shape) the result is <c>x.Conv2d(...).Add(residual)</c>, bit for bit,
    /// with the addition done as each output tile is finished (a residual block's skip connection, without a pass of
    /// its own); when gradients are recorded it runs as exactly that composition.
    /// </summary>
    public static Tensor Conv2d(this Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, Tensor? residual = null) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups, residual);

    /// <summary>2-D convolution with separate vertical and horizontal stride, padding and dilation.</summary>
    public static unsafe Tensor Conv2d(this Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1, Tensor? residual = null)
    {
        const string op = "conv2d";
        var g = Conv2dGeometryOf(op, x, weight, bias, stride, padding, dilation, groups);
        if (residual is not null)
        {
            Elementwise.RequireFloat(op, residual);
            if (residual.Shape != new Shape(g.N, g.O, g.OutH, g.OutW))
                throw new TensorShapeException(op, $"residual {residual.Shape} for input {x.Shape} and weight {weight.Shape}", $"a residual of the output's shape [{g.N}, {g.O}, {g.OutH}, {g.OutW}]");
            if (Autograd.ShouldRecord(x, weight, bias) || Autograd.ShouldRecord(residual))
                return x.Conv2d(weight, bias, stride, padding, dilation, groups).Add(residual);
        }
        using var profile = OpProfiler.Measure(OpProfiler.ByShape ? $"{op} {g.N}x{g.C}x{g.H}x{g.W} -> {g.O} k{g.KH} s{g.StrideH}" : op,
            2.0 * g.N * g.O * g.OutH * g.OutW * (g.C / g.Groups) * g.KH * g.KW);
        Tensor input = x.AsF32Contiguous();
        Tensor w = weight.Contiguous();
        Tensor? b = bias?.AsF32Contiguous();
        Tensor? r = residual?.AsF32Contiguous();
        var y = Tensor.Empty([g.N, g.O, g.OutH, g.OutW]);           // [N, O, OH, OW]
        if (y.ElementCount > 0)
            Conv2dKernel.Forward(g, input.F32, w.Data, w.DType, b is null ? null : b.F32, y.F32, r is null ? null : r.F32);
        GC.KeepAlive(input);
        GC.KeepAlive(w);
        GC.KeepAlive(b);
        GC.KeepAlive(r);
        if (Autograd.ShouldRecord(x, weight, bias))
        {
            var node = Autograd.Record(y, op, Derivatives.Conv2d, x, weight, bias);
            node.Ints = [g.StrideH, g.StrideW, g.PadH, g.PadW, g.DilationH, g.DilationW, g.Groups];
        }
        return y;
    }

    internal static Conv2dGeometry Conv2dGeometryOf(string op, Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        Elementwise.RequireFloat(op, x);
        Elementwise.RequireFloat(op, weight);
        if (x.Rank != 4)
            throw new TensorShapeException(op, $"input {x.Shape} has rank {x.Rank}", "input [N, C, H, W]");
        if (weight.Rank != 4)
            throw new TensorShapeException(op, $"weight {weight.Shape} has rank {weight.Rank}", "weight [O, C/groups, KH, KW]");
        if (groups <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new TensorShapeException(op, $"stride {stride}, padding {padding}, dilation {dilation}, groups {groups}", "positive stride, dilation and groups and non-negative padding");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int o = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (c % groups != 0 || o % groups != 0 || weight.Shape[1] * groups != c)
            throw new TensorShapeException(op, $"input {x.Shape} with weight {weight.Shape} and groups {groups}", $"weight.shape[1] * groups == input channels ({c}) and out channels divisible by groups");
        if (bias is not null)
        {
            Elementwise.RequireFloat(op, bias);
            if (bias.Shape != new Shape(o))
                throw new TensorShapeException(op, $"bias {bias.Shape} for weight {weight.Shape}", $"bias [{o}]");
        }
        var g = new Conv2dGeometry(n, c, h, w, o, kh, kw, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        if (h == 0 || w == 0 || c == 0 || o == 0 || kh == 0 || kw == 0 || g.OutH <= 0 || g.OutW <= 0)
            throw new TensorShapeException(op, $"input {x.Shape} is smaller than the dilated kernel of weight {weight.Shape} with padding {padding} (output would be {g.OutH}x{g.OutW})", "an output of at least 1x1");
        return g;
    }

    /// <summary>
    /// Nearest-neighbour upsampling of x [N, C, H, W] by an integer <paramref name="factor"/> → [N, C, H·f, W·f]
    /// (torch.nn.functional.interpolate(mode="nearest") with an integer scale factor).
    /// </summary>
    public static unsafe Tensor UpsampleNearest(this Tensor x, int factor = 2)
    {
        const string op = "upsample_nearest";
        using var profile = OpProfiler.Measure(op);
        Elementwise.RequireFloat(op, x);
        if (x.Rank != 4)
            throw new TensorShapeException(op, $"input {x.Shape} has rank {x.Rank}", "input [N, C, H, W]");
        if (factor < 1)
            throw new TensorShapeException(op, $"factor {factor} for input {x.Shape}", "an integer factor of at least 1");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        Tensor src = x.AsF32Contiguous();
        var y = Tensor.Empty([n, c, checked(h * factor), checked(w * factor)]);    // [N, C, H·f, W·f]
        UpsampleNearestKernel.Forward(src.F32, y.F32, (long)n * c, h, w, factor);
        GC.KeepAlive(src);
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, op, Derivatives.UpsampleNearest, x).Ints = [factor];
        return y;
    }
}
