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
        z.Slice(dim, start, start + (length - 1) * step + 1, step).CopyFromUnchecked(g);
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
}
