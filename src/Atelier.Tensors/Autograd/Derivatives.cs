namespace Atelier.Tensors;

/// <summary>
/// The derivative rules of every recorded operation, in one place. Each rule maps the gradient of the output
/// (g, float32, the output's shape) to one gradient per input (null when the input does not need one) and runs
/// with recording disabled. Broadcast inputs get their gradient summed back to their shape.
/// </summary>
internal static class Derivatives
{
    // ---- views and copies -------------------------------------------------------------------------------

    public static Tensor?[] Identity(GradNode n, Tensor g) => [g];

    public static Tensor?[] Reshape(GradNode n, Tensor g) => [g.Reshape(n.In(0).Shape)];

    public static Tensor?[] Permute(GradNode n, Tensor g)
    {
        var inverse = new int[n.Ints.Length];
        for (int i = 0; i < inverse.Length; i++) inverse[n.Ints[i]] = i;
        return [g.Permute(inverse)];
    }

    // Ints = [dim, start, length, step]: the gradient lands in that slice of zeros.
    public static Tensor?[] Slice(GradNode n, Tensor g)
    {
        var z = Tensor.Zeros(n.In(0).Shape);
        int dim = n.Ints[0], start = n.Ints[1], length = n.Ints[2], step = n.Ints[3];
        int end = length == 0 ? start : start + (length - 1) * step + 1;
        z.Slice(dim, start, end, step).CopyFromUnchecked(g);
        return [z];
    }

    // Ints = [dim, index].
    public static Tensor?[] Select(GradNode n, Tensor g)
    {
        var z = Tensor.Zeros(n.In(0).Shape);
        z.Select(n.Ints[0], n.Ints[1]).CopyFromUnchecked(g);
        return [z];
    }

    public static Tensor?[] Expand(GradNode n, Tensor g) => [Broadcasting.SumTo(g, n.In(0).Shape)];

    // ---- arithmetic -------------------------------------------------------------------------------------

    public static Tensor?[] Add(GradNode n, Tensor g) =>
        [n.NeedsGrad(0) ? Broadcasting.SumTo(g, n.In(0).Shape) : null,
         n.NeedsGrad(1) ? Broadcasting.SumTo(g, n.In(1).Shape) : null];

    public static Tensor?[] Sub(GradNode n, Tensor g) =>
        [n.NeedsGrad(0) ? Broadcasting.SumTo(g, n.In(0).Shape) : null,
         n.NeedsGrad(1) ? Broadcasting.SumTo(Ops.Neg(g), n.In(1).Shape) : null];

    public static Tensor?[] Neg(GradNode n, Tensor g) => [Ops.Neg(g)];

    public static Tensor?[] Mul(GradNode n, Tensor g) =>
        [n.NeedsGrad(0) ? Broadcasting.SumTo(Ops.Mul(g, n.In(1)), n.In(0).Shape) : null,
         n.NeedsGrad(1) ? Broadcasting.SumTo(Ops.Mul(g, n.In(0)), n.In(1).Shape) : null];

    // Floats = [s]: d(a·s)/da = s.
    public static Tensor?[] MulScalar(GradNode n, Tensor g) => [Ops.Mul(g, n.Floats[0])];

    // d(a/b)/da = 1/b, d(a/b)/db = -a/b².
    public static Tensor?[] Div(GradNode n, Tensor g)
    {
        Tensor a = n.In(0), b = n.In(1);
        Tensor? ga = n.NeedsGrad(0) ? Broadcasting.SumTo(Ops.Div(g, b), a.Shape) : null;
        Tensor? gb = n.NeedsGrad(1) ? Broadcasting.SumTo(Ops.Neg(Ops.Div(Ops.Mul(g, a), Ops.Mul(b, b))), b.Shape) : null;
        return [ga, gb];
    }

    // y = s/a (Saved = [y]): dy/da = -s/a² = -y/a.
    public static Tensor?[] ScalarDiv(GradNode n, Tensor g) => [Ops.Neg(Ops.Div(Ops.Mul(g, n.Saved[0]!), n.In(0)))];

    // ---- reductions -------------------------------------------------------------------------------------

    public static Tensor?[] SumAll(GradNode n, Tensor g) => [g.Reshape(new int[n.In(0).Rank].Select(_ => 1).ToArray()).Expand(n.In(0).Shape.Dims)];

    // Ints = the kept (keepdim) output shape.
    public static Tensor?[] SumDims(GradNode n, Tensor g) => [g.Reshape(n.Ints).Expand(n.In(0).Shape.Dims)];

    public static Tensor?[] MeanAll(GradNode n, Tensor g) => [Ops.Div(SumAll(n, g)[0]!, (float)n.In(0).ElementCount)];

    // Ints = kept shape, Floats = [count].
    public static Tensor?[] MeanDims(GradNode n, Tensor g) => [Ops.Div(g.Reshape(n.Ints).Expand(n.In(0).Shape.Dims), n.Floats[0])];

    // Saved = [indices (I64, kept shape)], Ints = [dim]: the gradient goes to the first maximum of each slice.
    public static unsafe Tensor?[] MaxDim(GradNode n, Tensor g)
    {
        Tensor x = n.In(0), index = n.Saved[0]!;
        int d = n.Ints[0];
        var (outer, count, inner) = Ops.Split3(x.Shape, d);
        var z = Tensor.Zeros(x.Shape);
        Tensor gc = g.AsF32Contiguous();
        long* pi = (long*)index.Data;
        float* pz = z.F32, pg = gc.F32;
        for (long o = 0; o < outer; o++)
            for (long c = 0; c < inner; c++)
                pz[(o * count + pi[o * inner + c]) * inner + c] = pg[o * inner + c];
        GC.KeepAlive(gc);
        GC.KeepAlive(index);
        return [z];
    }

    // ---- matrix products --------------------------------------------------------------------------------

    // y = a @ b: da = g @ bᵀ, db = aᵀ @ g (summed over broadcast batch dimensions).
    public static Tensor?[] MatMul(GradNode n, Tensor g)
    {
        Tensor a = n.In(0), b = n.In(1);
        Tensor? ga = n.NeedsGrad(0) ? Broadcasting.SumTo(Ops.MatMul(g, b.Transpose(-1, -2)), a.Shape) : null;
        Tensor? gb = n.NeedsGrad(1) ? Broadcasting.SumTo(Ops.MatMul(a.Transpose(-1, -2), g), b.Shape) : null;
        return [ga, gb];
    }

    // y = x Wᵀ + b with x [..., in] seen as [rows, in], g [rows, out]: dx = g W, dW = gᵀ x, db = Σ_rows g.
    public static Tensor?[] Linear(GradNode n, Tensor g)
    {
        Tensor x = n.In(0), w = n.In(1);
        int outFeatures = w.Shape[0], inFeatures = w.Shape[1];
        Tensor g2 = g.Reshape(-1, outFeatures);                                        // [rows, out]
        Tensor? gx = n.NeedsGrad(0) ? Ops.MatMul(g2, w).Reshape(x.Shape) : null;      // [rows, in] → x.shape
        Tensor? gw = n.NeedsGrad(1) ? Ops.MatMul(g2.T, x.Reshape(-1, inFeatures)) : null; // [out, in]
        Tensor? gb = n.NeedsGrad(2) ? Ops.Sum(g2, 0) : null;                           // [out]
        return [gx, gw, gb];
    }

    // ---- elementwise functions (fused gradient kernels: one pass over g and x or y) -----------------------

    private static Tensor Fused<TOp>(string op, Tensor g, Tensor xOrY, TOp f) where TOp : struct, Kernels.IBinaryOperator =>
        Elementwise.Binary(op, g, xOrY, f);

    public static Tensor?[] Abs(GradNode n, Tensor g) => [Fused("abs_backward", g, n.In(0), new Kernels.AbsGradOperator())];

    // Saved = [y]: d e^x = e^x.
    public static Tensor?[] Exp(GradNode n, Tensor g) => [Ops.Mul(g, n.Saved[0]!)];

    public static Tensor?[] Log(GradNode n, Tensor g) => [Ops.Div(g, n.In(0))];

    // Saved = [y = √x]: d√x = 1/(2y).
    public static Tensor?[] Sqrt(GradNode n, Tensor g) => [Ops.Div(Ops.Mul(g, 0.5f), n.Saved[0]!)];

    // Saved = [y = x^-½]: d = -½ y³.
    public static Tensor?[] Rsqrt(GradNode n, Tensor g)
    {
        Tensor y = n.Saved[0]!;
        return [Ops.Mul(Ops.Mul(g, Ops.Mul(Ops.Square(y), y)), -0.5f)];
    }

    public static Tensor?[] Square(GradNode n, Tensor g) => [Ops.Mul(Ops.Mul(g, n.In(0)), 2f)];

    // Floats = [p].
    public static Tensor?[] Pow(GradNode n, Tensor g)
    {
        float p = n.Floats[0];
        if (p == 0) return [Tensor.Zeros(n.In(0).Shape)];
        return [Fused("pow_backward", g, n.In(0), new Kernels.PowGradOperator(p))];
    }

    // Floats = [min, max].
    public static Tensor?[] Clamp(GradNode n, Tensor g) => [Fused("clamp_backward", g, n.In(0), new Kernels.ClampGradOperator(n.Floats[0], n.Floats[1]))];

    public static Tensor?[] Sin(GradNode n, Tensor g) => [Ops.Mul(g, Ops.Cos(n.In(0)))];

    public static Tensor?[] Cos(GradNode n, Tensor g) => [Ops.Neg(Ops.Mul(g, Ops.Sin(n.In(0))))];

    // Saved = [y].
    public static Tensor?[] Tanh(GradNode n, Tensor g) => [Fused("tanh_backward", g, n.Saved[0]!, new Kernels.TanhGradOperator())];

    // Saved = [y].
    public static Tensor?[] Sigmoid(GradNode n, Tensor g) => [Fused("sigmoid_backward", g, n.Saved[0]!, new Kernels.SigmoidGradOperator())];

    public static Tensor?[] Relu(GradNode n, Tensor g) => [Fused("relu_backward", g, n.In(0), new Kernels.ReluGradOperator())];

    // Floats = [k]: SiLU (k = 1) and QuickGELU (k = 1.702).
    public static Tensor?[] Silu(GradNode n, Tensor g) => [Fused("silu_backward", g, n.In(0), new Kernels.SiluGradOperator(n.Floats[0]))];

    public static Tensor?[] Gelu(GradNode n, Tensor g) => [Fused("gelu_backward", g, n.In(0), new Kernels.GeluGradOperator())];

    public static Tensor?[] GeluTanh(GradNode n, Tensor g) => [Fused("gelu_tanh_backward", g, n.In(0), new Kernels.GeluTanhGradOperator())];

    // ---- softmax and normalisation (composed from ops: deterministic and vectorised) ----------------------

    // Saved = [y], Ints = [dim]: dx = y · (g - Σ g·y).
    public static Tensor?[] Softmax(GradNode n, Tensor g)
    {
        Tensor y = n.Saved[0]!;
        int d = n.Ints[0];
        return [Ops.Mul(y, Ops.Sub(g, Ops.Sum(Ops.Mul(g, y), d, keepDim: true)))];
    }

    // Saved = [y = log softmax], Ints = [dim]: dx = g - e^y · Σ g.
    public static Tensor?[] LogSoftmax(GradNode n, Tensor g)
    {
        Tensor y = n.Saved[0]!;
        int d = n.Ints[0];
        return [Ops.Sub(g, Ops.Mul(Ops.Exp(y), Ops.Sum(g, d, keepDim: true)))];
    }

    // Inputs = [x, weight?, bias?], Saved = [mean, rstd] (per row), Ints = [n]: with x̂ = (x - μ)ρ and ĝ = g·w,
    // dx = ρ (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)), dw = Σ_rows g x̂, db = Σ_rows g.
    public static Tensor?[] LayerNorm(GradNode n, Tensor g)
    {
        Tensor x = n.In(0);
        int features = n.Ints[0];
        Tensor x2 = x.Reshape(-1, features), g2 = g.Reshape(-1, features);              // [rows, n]
        Tensor mean = n.Saved[0]!.Unsqueeze(1), rstd = n.Saved[1]!.Unsqueeze(1);          // [rows, 1]
        Tensor xhat = Ops.Mul(Ops.Sub(x2, mean), rstd);                                   // [rows, n]
        Tensor? gx = null, gw = null, gb = null;
        if (n.NeedsGrad(0))
        {
            Tensor gh = n.Inputs[1] is { } w ? Ops.Mul(g2, w.Reshape(features)) : g2;
            Tensor inner = Ops.Sub(Ops.Sub(gh, Ops.Mean(gh, 1, keepDim: true)), Ops.Mul(xhat, Ops.Mean(Ops.Mul(gh, xhat), 1, keepDim: true)));
            gx = Ops.Mul(inner, rstd).Reshape(x.Shape);
        }
        if (n.NeedsGrad(1)) gw = Ops.Sum(Ops.Mul(g2, xhat), 0).Reshape(n.In(1).Shape);
        if (n.NeedsGrad(2)) gb = Ops.Sum(g2, 0).Reshape(n.In(2).Shape);
        return [gx, gw, gb];
    }

    // Inputs = [x [N, C, *], weight?, bias?], Saved = [mean, rstd] ([N, G]), Ints = [G]: as LayerNorm per
    // (sample, group), with the per-channel weight applied to g first.
    public static Tensor?[] GroupNorm(GradNode n, Tensor g)
    {
        Tensor x = n.In(0);
        int batch = x.Shape[0], c = x.Shape[1], groups = n.Ints[0];
        Tensor xc = x.Reshape(batch, c, -1), gc = g.Reshape(batch, c, -1);              // [N, C, S]
        long s = xc.Shape[2];
        Tensor mean = n.Saved[0]!.Reshape(batch, groups, 1), rstd = n.Saved[1]!.Reshape(batch, groups, 1);
        Tensor xhat = Ops.Mul(Ops.Sub(xc.Reshape(batch, groups, -1), mean), rstd);       // [N, G, C/G·S]
        Tensor? gx = null, gw = null, gb = null;
        if (n.NeedsGrad(0))
        {
            Tensor gh = n.Inputs[1] is { } w ? Ops.Mul(gc, w.Reshape(c, 1)) : gc;         // [N, C, S]
            Tensor ghg = gh.Reshape(batch, groups, -1);                                    // [N, G, C/G·S]
            Tensor inner = Ops.Sub(Ops.Sub(ghg, Ops.Mean(ghg, 2, keepDim: true)), Ops.Mul(xhat, Ops.Mean(Ops.Mul(ghg, xhat), 2, keepDim: true)));
            gx = Ops.Mul(inner, rstd).Reshape(x.Shape);
        }
        if (n.NeedsGrad(1)) gw = Ops.Sum(Ops.Mul(gc, xhat.Reshape(batch, c, (int)s)), [0, 2]);
        if (n.NeedsGrad(2)) gb = Ops.Sum(gc, [0, 2]);
        return [gx, gw, gb];
    }

    // ---- convolution and resampling -----------------------------------------------------------------------

    // Inputs = [x, weight, bias?], Ints = [strideH, strideW, padH, padW, dilationH, dilationW, groups].
    public static unsafe Tensor?[] Conv2d(GradNode n, Tensor g)
    {
        Tensor x = n.In(0), weight = n.In(1);
        int[] p = n.Ints;
        var geometry = Ops.Conv2dGeometryOf("conv2d_backward", x, weight, n.Inputs[2], (p[0], p[1]), (p[2], p[3]), (p[4], p[5]), p[6]);
        Tensor gc = g.AsF32Contiguous();
        Tensor? gx = null, gw = null, gb = null;
        if (n.NeedsGrad(0))
        {
            Tensor w = weight.Contiguous();
            gx = Tensor.Empty(x.Shape);
            Kernels.Conv2dKernel.BackwardInput(geometry, gc.F32, w.Data, w.DType, gx.F32);
            GC.KeepAlive(w);
        }
        if (n.NeedsGrad(1) || n.NeedsGrad(2))
        {
            Tensor input = x.AsF32Contiguous();
            gw = n.NeedsGrad(1) ? Tensor.Empty(weight.Shape) : null;
            gb = n.NeedsGrad(2) ? Tensor.Empty([weight.Shape[0]]) : null;
            Kernels.Conv2dKernel.BackwardWeight(geometry, input.F32, gc.F32, gw is null ? null : gw.F32, gb is null ? null : gb.F32);
            GC.KeepAlive(input);
        }
        GC.KeepAlive(gc);
        return [gx, gw, gb];
    }

    // Ints = [factor]: each input pixel receives the sum of its f × f copies.
    public static Tensor?[] UpsampleNearest(GradNode n, Tensor g)
    {
        Tensor x = n.In(0);
        int f = n.Ints[0];
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        return [Ops.Sum(g.Reshape(b, c, h, f, w, f), [3, 5])];                            // [N, C, H, f, W, f] → [N, C, H, W]
    }

    // ---- indexing -----------------------------------------------------------------------------------------

    // Ints = [dim]: each input gets its slice of g.
    public static Tensor?[] Concat(GradNode n, Tensor g)
    {
        int d = n.Ints[0], offset = 0;
        var grads = new Tensor?[n.Inputs.Length];
        for (int i = 0; i < grads.Length; i++)
        {
            int size = n.In(i).Shape.Dims[d];
            if (n.NeedsGrad(i)) grads[i] = g.Narrow(d, offset, size);
            offset += size;
        }
        return grads;
    }

    // Inputs = [ids, weight]: rows of g are added into the rows of the table they came from, in order.
    public static unsafe Tensor?[] Embedding(GradNode n, Tensor g)
    {
        Tensor ids = n.In(0).Contiguous(), weight = n.In(1);
        int dim = weight.Shape[1];
        var gw = Tensor.Zeros(weight.Shape);
        Tensor gc = g.AsF32Contiguous();
        long count = ids.ElementCount;
        for (long i = 0; i < count; i++)
        {
            long id = ElementAccess.ReadInteger(ids.Data, ids.DType, i);
            float* dst = gw.F32 + id * dim;
            Kernels.BinaryKernel.Apply(new Kernels.AddOperator(), dst, gc.F32 + i * dim, dst, dim);
        }
        GC.KeepAlive(ids);
        GC.KeepAlive(gc);
        return [null, gw];
    }

    // Inputs = [condition, a, b].
    public static Tensor?[] Where(GradNode n, Tensor g)
    {
        Tensor c = n.In(0);
        var zero = Tensor.Scalar(0f);
        Tensor? ga = n.NeedsGrad(1) ? Broadcasting.SumTo(Ops.Where(c, g, zero), n.In(1).Shape) : null;
        Tensor? gb = n.NeedsGrad(2) ? Broadcasting.SumTo(Ops.Where(c, zero, g), n.In(2).Shape) : null;
        return [null, ga, gb];
    }

    // ---- attention and losses -----------------------------------------------------------------------------

    // Saved = [q, k, v as read by the kernel, o, log-sum-exp], Floats = [scale], Ints = [causal].
    public static unsafe Tensor?[] Attention(GradNode n, Tensor g)
    {
        Tensor q = n.Saved[0]!, k = n.Saved[1]!, v = n.Saved[2]!, o = n.Saved[3]!, lse = n.Saved[4]!;
        int b = q.Shape[0], h = q.Shape[1], nq = q.Shape[2], d = q.Shape[3], nk = k.Shape[2];
        Tensor go = Ops.RowContiguousF32(g);
        var gq = Tensor.Empty(q.Shape);
        var gk = Tensor.Empty(k.Shape);
        var gv = Tensor.Empty(v.Shape);
        Kernels.AttentionKernel.Backward(b, h, nq, nk, d,
            q.F32, Ops.Layout(q), k.F32, Ops.Layout(k), v.F32, Ops.Layout(v), o.F32, Ops.Layout(o), go.F32, Ops.Layout(go), lse.F32,
            gq.F32, Ops.Layout(gq), gk.F32, Ops.Layout(gk), gv.F32, Ops.Layout(gv), n.Floats[0], n.Ints[0] != 0);
        GC.KeepAlive(q);
        GC.KeepAlive(k);
        GC.KeepAlive(v);
        GC.KeepAlive(o);
        GC.KeepAlive(go);
        GC.KeepAlive(lse);
        return [n.NeedsGrad(0) ? gq : null, n.NeedsGrad(1) ? gk : null, n.NeedsGrad(2) ? gv : null];
    }

    // Inputs = [logits [N, C], targets [N]], Saved = [log softmax]: dlogits = (softmax - onehot(t)) · g / N.
    public static unsafe Tensor?[] CrossEntropy(GradNode n, Tensor g)
    {
        Tensor logp = n.Saved[0]!, targets = n.In(1).Contiguous();
        int rows = logp.Shape[0], c = logp.Shape[1];
        Tensor grad = Ops.Exp(logp);                                                      // softmax [N, C]
        for (int i = 0; i < rows; i++)
            grad.F32[(long)i * c + ElementAccess.ReadInteger(targets.Data, targets.DType, i)] -= 1f;
        GC.KeepAlive(targets);
        return [Ops.Mul(grad, Ops.Div(g, (float)rows)), null];
    }
}
