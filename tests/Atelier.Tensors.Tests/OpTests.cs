namespace Atelier.Tensors.Tests;

/// <summary>Forward against double-precision loops and backward against finite differences, op by op.</summary>
public class OpTests
{
    private static Tensor R(int seed, Shape shape, float lo = -1, float hi = 1, float away = 0) => OpCheck.Rand(seed, shape, lo, hi, away);

    [Fact]
    public void BroadcastArithmeticGradients()
    {
        OpCheck.Gradients("add", t => t[0] + t[1], [R(1, [2, 3, 4]), R(2, [3, 1])]);
        OpCheck.Gradients("sub", t => t[0] - t[1], [R(3, [4]), R(4, [2, 3, 4])]);
        OpCheck.Gradients("mul", t => t[0] * t[1], [R(5, [2, 1, 4]), R(6, [3, 1])]);
        OpCheck.Gradients("div", t => t[0] / t[1], [R(7, [2, 3]), R(8, [3], 0.5f, 2)]);
        OpCheck.Gradients("same input twice", t => t[0] * t[0] + t[0], [R(9, [5])]);
    }

    [Fact]
    public void ViewGradients()
    {
        OpCheck.Gradients("reshape", t => t[0].Reshape(4, 6) * t[1], [R(1, [2, 3, 4]), R(2, [4, 6])]);
        OpCheck.Gradients("permute", t => t[0].Permute(2, 0, 1) * t[1], [R(3, [2, 3, 4]), R(4, [4, 2, 3])]);
        OpCheck.Gradients("transpose+reshape copy", t => t[0].Transpose(0, 1).Reshape(-1), [R(5, [3, 4])]);
        OpCheck.Gradients("slice", t => t[0].Slice(1, 1, 6, 2), [R(6, [2, 7])]);
        OpCheck.Gradients("narrow", t => t[0].Narrow(0, 1, 2), [R(7, [4, 3])]);
        OpCheck.Gradients("select", t => t[0].Select(1, -1), [R(8, [3, 4])]);
        OpCheck.Gradients("unsqueeze/squeeze", t => t[0].Unsqueeze(1).Squeeze(1).Unsqueeze(0), [R(9, [3, 4])]);
        OpCheck.Gradients("expand", t => t[0].Expand(2, 3, 4) * t[1], [R(10, [3, 1]), R(11, [2, 3, 4])]);
        OpCheck.Gradients("chunk", t => t[0].Chunk(2, 1)[1] * 2f, [R(12, [3, 4])]);
        OpCheck.Gradients("cast", t => t[0].Cast(DType.F16).Square(), [R(13, [6])], h: 3e-2, rtol: 3e-2, atol: 1e-2);
        OpCheck.Gradients("clone", t => t[0].Clone() * t[0], [R(14, [6])]);
    }

    [Fact]
    public void Reductions()
    {
        var x = R(1, [3, 4, 5]);
        var v = x.ToFloatArray();
        double At(int i, int j, int k) => v[(i * 4 + j) * 5 + k];
        var sum1 = new double[15];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) for (int j = 0; j < 4; j++) sum1[i * 5 + k] += At(i, j, k);
        OpCheck.Forward(x.Sum(1), [3, 5], sum1, 1e-6, 1e-6);
        OpCheck.Forward(x.Sum(1, keepDim: true), [3, 1, 5], sum1, 1e-6, 1e-6);
        OpCheck.Forward(x.Mean(1), [3, 5], sum1.Select(s => s / 4).ToArray(), 1e-6, 1e-6);
        OpCheck.Forward(x.Sum(), [], [v.Sum(f => (double)f)], 1e-6, 1e-6);
        OpCheck.Forward(x.Mean(), [], [v.Sum(f => (double)f) / 60], 1e-6, 1e-6);
        var sum02 = new double[4];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++) sum02[j] += At(i, j, k);
        OpCheck.Forward(x.Sum([0, 2]), [4], sum02, 1e-6, 1e-6);
        var max2 = new double[12];
        var arg2 = new long[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                int best = 0;
                for (int k = 1; k < 5; k++) if (At(i, j, k) > At(i, j, best)) best = k;
                max2[i * 4 + j] = At(i, j, best);
                arg2[i * 4 + j] = best;
            }
        OpCheck.Forward(x.Max(-1), [3, 4], max2, 0, 0);
        Assert.Equal(arg2, x.ArgMax(-1).ToArray<long>());
        Assert.Equal((float)v.Max(), x.Max().Item());
        Assert.Equal(Array.IndexOf(v, v.Max()), x.ArgMax().ItemInt64());
        var var1 = new double[15];
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5; k++)
            {
                double m = 0;
                for (int j = 0; j < 4; j++) m += At(i, j, k) / 4;
                for (int j = 0; j < 4; j++) var1[i * 5 + k] += (At(i, j, k) - m) * (At(i, j, k) - m) / 3;
            }
        OpCheck.Forward(x.Var(1), [3, 5], var1, 1e-5, 1e-6);
        OpCheck.Forward(x.Std(1), [3, 5], var1.Select(Math.Sqrt).ToArray(), 1e-5, 1e-6);
        // Integer argmax (CLIP's end-of-text position), ties go to the first index.
        var ids = Tensor.FromArray([5L, 49407, 3, 49407], [1, 4]);
        Assert.Equal([1L], ids.ArgMax(-1).ToArray<long>());

        OpCheck.Gradients("sum all", t => t[0].Sum(), [R(2, [3, 4])]);
        OpCheck.Gradients("sum dims", t => t[0].Sum([0, 2]), [R(3, [2, 3, 4])]);
        OpCheck.Gradients("sum keepdim", t => t[0].Sum(1, keepDim: true) * t[0], [R(4, [2, 3])]);
        OpCheck.Gradients("mean all", t => t[0].Mean(), [R(5, [3, 4])]);
        OpCheck.Gradients("mean dim", t => t[0].Mean(-1), [R(6, [3, 4])]);
        OpCheck.Gradients("max dim", t => t[0].Max(1), [R(7, [3, 5])]);
        OpCheck.Gradients("max all", t => t[0].Max(), [R(8, [3, 5])]);
        OpCheck.Gradients("var", t => t[0].Var(0), [R(9, [4, 3])]);
        OpCheck.Gradients("std", t => t[0].Std(1), [R(10, [3, 4])]);
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        var x = R(1, [2, 3, 6], -4, 4);
        var v = x.ToFloatArray();
        var expected = new double[v.Length];
        var expectedLog = new double[v.Length];
        for (int r = 0; r < 6; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int i = 0; i < 6; i++) max = Math.Max(max, v[r * 6 + i]);
            for (int i = 0; i < 6; i++) sum += Math.Exp(v[r * 6 + i] - max);
            for (int i = 0; i < 6; i++)
            {
                expected[r * 6 + i] = Math.Exp(v[r * 6 + i] - max) / sum;
                expectedLog[r * 6 + i] = v[r * 6 + i] - max - Math.Log(sum);
            }
        }
        OpCheck.Forward(x.Softmax(-1), x.Shape, expected, 1e-6, 1e-7);
        OpCheck.Forward(x.LogSoftmax(-1), x.Shape, expectedLog, 1e-6, 1e-6);
        // Another dimension equals the transposed computation.
        Assert.Equal(x.Transpose(1, 2).Softmax(-1).Transpose(1, 2).Contiguous().ToFloatArray(), x.Softmax(1).ToFloatArray());
        OpCheck.Gradients("softmax last", t => t[0].Softmax(-1), [R(2, [3, 5], -2, 2)]);
        OpCheck.Gradients("softmax dim 0", t => t[0].Softmax(0), [R(3, [3, 5], -2, 2)]);
        OpCheck.Gradients("log_softmax", t => t[0].LogSoftmax(1), [R(4, [2, 4, 3], -2, 2)]);
    }

    [Fact]
    public void LayerNormMatchesReferenceAndGradients()
    {
        var x = R(1, [2, 3, 8], -2, 3);
        var w = R(2, [8]);
        var b = R(3, [8]);
        var v = x.ToFloatArray();
        var wv = w.ToFloatArray();
        var bv = b.ToFloatArray();
        var expected = new double[v.Length];
        for (int r = 0; r < 6; r++)
        {
            double m = 0, var = 0;
            for (int i = 0; i < 8; i++) m += v[r * 8 + i] / 8.0;
            for (int i = 0; i < 8; i++) var += (v[r * 8 + i] - m) * (v[r * 8 + i] - m) / 8.0;
            for (int i = 0; i < 8; i++) expected[r * 8 + i] = (v[r * 8 + i] - m) / Math.Sqrt(var + 1e-5) * wv[i] + bv[i];
        }
        OpCheck.Forward(x.LayerNorm([8], w, b), x.Shape, expected, 1e-5, 1e-5);
        OpCheck.Forward(x.LayerNorm([3, 8]), x.Shape, LayerNormReference(v, 2, 24), 1e-5, 1e-5);
        OpCheck.Gradients("layer_norm", t => t[0].LayerNorm([5], t[1], t[2]), [R(4, [3, 5], -2, 2), R(5, [5]), R(6, [5])]);
        OpCheck.Gradients("layer_norm no affine", t => t[0].LayerNorm([2, 3]), [R(7, [2, 2, 3], -2, 2)]);
        var ex = Assert.Throws<TensorShapeException>(() => x.LayerNorm([7]));
        Assert.Contains("layer_norm", ex.Message);
        Assert.Throws<TensorShapeException>(() => x.LayerNorm([8], R(1, [7])));

        static double[] LayerNormReference(float[] v, int rows, int n)
        {
            var e = new double[v.Length];
            for (int r = 0; r < rows; r++)
            {
                double m = 0, var = 0;
                for (int i = 0; i < n; i++) m += v[r * n + i] / (double)n;
                for (int i = 0; i < n; i++) var += (v[r * n + i] - m) * (v[r * n + i] - m) / n;
                for (int i = 0; i < n; i++) e[r * n + i] = (v[r * n + i] - m) / Math.Sqrt(var + 1e-5);
            }
            return e;
        }
    }

    [Fact]
    public void GroupNormMatchesReferenceAndGradients()
    {
        int n = 2, c = 6, h = 3, w = 2, groups = 3;
        var x = R(1, [n, c, h, w], -1, 4);
        var gamma = R(2, [c]);
        var beta = R(3, [c]);
        var v = x.ToFloatArray();
        var gv = gamma.ToFloatArray();
        var bv = beta.ToFloatArray();
        var expected = new double[v.Length];
        int cg = c / groups, block = cg * h * w;
        for (int s = 0; s < n; s++)
            for (int g = 0; g < groups; g++)
            {
                int start = (s * c + g * cg) * h * w;
                double m = 0, var = 0;
                for (int i = 0; i < block; i++) m += v[start + i] / block;
                for (int i = 0; i < block; i++) var += (v[start + i] - m) * (v[start + i] - m) / block;
                for (int i = 0; i < block; i++)
                {
                    int ch = g * cg + i / (h * w);
                    expected[start + i] = (v[start + i] - m) / Math.Sqrt(var + 1e-5) * gv[ch] + bv[ch];
                }
            }
        OpCheck.Forward(x.GroupNorm(groups, gamma, beta), x.Shape, expected, 1e-5, 1e-5);
        OpCheck.Gradients("group_norm", t => t[0].GroupNorm(2, t[1], t[2]), [R(4, [2, 4, 2, 2], -2, 2), R(5, [4]), R(6, [4])]);
        OpCheck.Gradients("group_norm no affine", t => t[0].GroupNorm(3, null, null), [R(7, [1, 3, 5], -2, 2)]);
        var ex = Assert.Throws<TensorShapeException>(() => x.GroupNorm(4));
        Assert.Contains("group_norm", ex.Message);
        Assert.Contains("[2, 6, 3, 2]", ex.Message);
    }

    [Fact]
    public void FusedGroupNormSiluAndGegluEqualTheirCompositions()
    {
        var x = R(21, [2, 8, 5, 7], -3, 3);
        var gamma = R(22, [8]);
        var beta = R(23, [8]);
        Assert.Equal(x.GroupNorm(4, gamma, beta, 1e-6f).Silu().ToFloatArray(), x.GroupNormSilu(4, gamma, beta, 1e-6f).ToFloatArray());
        Assert.Equal(x.GroupNorm(2).Silu().ToFloatArray(), x.GroupNormSilu(2).ToFloatArray());
        var h = R(24, [2, 3, 2 * 37], -6, 6);
        Tensor[] halves = h.Chunk(2, -1);
        Assert.Equal(halves[0].Mul(halves[1].Gelu()).ToFloatArray(), h.Geglu().ToFloatArray());
        Assert.Equal(new Shape(2, 3, 37), h.Geglu().Shape);
        var strided = R(25, [2 * 16, 5], -4, 4).T;                               // [5, 32], not contiguous
        Tensor[] parts = strided.Chunk(2, -1);
        Assert.Equal(parts[0].Mul(parts[1].Gelu()).ToFloatArray(), strided.Geglu().ToFloatArray());
        OpCheck.Gradients("group_norm_silu", t => t[0].GroupNormSilu(2, t[1], t[2]), [R(26, [2, 4, 2, 2], -2, 2), R(27, [4]), R(28, [4])]);
        OpCheck.Gradients("geglu", t => t[0].Geglu(), [R(29, [3, 2 * 5], -2, 2)]);
        var ex = Assert.Throws<TensorShapeException>(() => R(30, [2, 7]).Geglu());
        Assert.Contains("geglu", ex.Message);
        Assert.Contains("[2, 7]", ex.Message);
        ex = Assert.Throws<TensorShapeException>(() => x.GroupNormSilu(3));
        Assert.Contains("group_norm", ex.Message);
    }

    [Fact]
    public void ResidualLinearAndConv2dEqualTheirCompositions()
    {
        var x = R(31, [2, 9, 40], -2, 2);
        var w = R(32, [70, 40]);
        var b = R(33, [70]);
        var res = R(34, [2, 9, 70], -3, 3);
        Assert.Equal(x.Linear(w, b).Add(res).ToFloatArray(), x.Linear(w, b, res).ToFloatArray());
        Assert.Equal(x.Linear(w).Add(res).ToFloatArray(), x.Linear(w, residual: res).ToFloatArray());
        var small = R(35, [3, 4], -2, 2);
        var ws = R(36, [5, 4]);
        var rs = R(37, [3, 5]);
        Assert.Equal(small.Linear(ws, null).Add(rs).ToFloatArray(), small.Linear(ws, null, rs).ToFloatArray());   // small-problem path
        var img = R(38, [2, 6, 8, 8], -2, 2);
        var cw = R(39, [10, 6, 3, 3]);
        var cb = R(40, [10]);
        var cr = R(41, [2, 10, 8, 8], -3, 3);
        Assert.Equal(img.Conv2d(cw, cb, padding: 1).Add(cr).ToFloatArray(), img.Conv2d(cw, cb, padding: 1, residual: cr).ToFloatArray());
        OpCheck.Gradients("linear residual", t => t[0].Linear(t[1], t[2], t[3]), [R(42, [2, 3, 4]), R(43, [5, 4]), R(44, [5]), R(45, [2, 3, 5])]);
        OpCheck.Gradients("conv2d residual", t => t[0].Conv2d(t[1], t[2], padding: 1, residual: t[3]), [R(46, [1, 2, 4, 4]), R(47, [3, 2, 3, 3]), R(48, [3]), R(49, [1, 3, 4, 4])]);
        var ex = Assert.Throws<TensorShapeException>(() => x.Linear(w, b, R(50, [2, 9, 69])));
        Assert.Contains("linear", ex.Message);
        Assert.Contains("[2, 9, 69]", ex.Message);
        ex = Assert.Throws<TensorShapeException>(() => img.Conv2d(cw, cb, padding: 1, residual: R(51, [2, 10, 8, 7])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[2, 10, 8, 7]", ex.Message);
    }

    [Fact]
    public void MatMulAndLinearGradients()
    {
        OpCheck.Gradients("matmul 2d", t => t[0].MatMul(t[1]), [R(1, [3, 4]), R(2, [4, 2])]);
        OpCheck.Gradients("matmul batched broadcast", t => t[0].MatMul(t[1]), [R(3, [2, 1, 3, 4]), R(4, [3, 4, 2])]);
        OpCheck.Gradients("matmul transposed view", t => t[0].MatMul(t[1].T), [R(5, [3, 4]), R(6, [2, 4])]);
        OpCheck.Gradients("matmul vector", t => t[0].MatMul(t[1]), [R(7, [3, 4]), R(8, [4])]);
        OpCheck.Gradients("linear", t => t[0].Linear(t[1], t[2]), [R(9, [2, 3, 4]), R(10, [5, 4]), R(11, [5])]);
        OpCheck.Gradients("linear no bias", t => t[0].Linear(t[1]), [R(12, [3, 4]), R(13, [2, 4])]);
    }

    [Fact]
    public void Conv2dMatchesReferenceAndGradients()
    {
        foreach (var (stride, padding, dilation, groups) in new[] { (1, 0, 1, 1), (1, 1, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2) })
        {
            int n = 2, c = 4, h = 6, w = 5, o = 6, k = 3;
            var x = R(1, [n, c, h, w]);
            var weight = R(2, [o, c / groups, k, k]);
            var bias = R(3, [o]);
            var y = x.Conv2d(weight, bias, stride, padding, dilation, groups);
            int oh = (h + 2 * padding - dilation * (k - 1) - 1) / stride + 1, ow = (w + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
            var xv = x.ToFloatArray();
            var wv = weight.ToFloatArray();
            var bv = bias.ToFloatArray();
            var expected = new double[n * o * oh * ow];
            int cg = c / groups, og = o / groups;
            for (int b = 0; b < n; b++)
                for (int oc = 0; oc < o; oc++)
                    for (int yy = 0; yy < oh; yy++)
                        for (int xx = 0; xx < ow; xx++)
                        {
                            double s = bv[oc];
                            for (int ic = 0; ic < cg; ic++)
                                for (int ky = 0; ky < k; ky++)
                                    for (int kx = 0; kx < k; kx++)
                                    {
                                        int iy = yy * stride - padding + ky * dilation, ix = xx * stride - padding + kx * dilation;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                        s += (double)xv[((b * c + oc / og * cg + ic) * h + iy) * w + ix] * wv[((oc * cg + ic) * k + ky) * k + kx];
                                    }
                            expected[((b * o + oc) * oh + yy) * ow + xx] = s;
                        }
            OpCheck.Forward(y, [n, o, oh, ow], expected, 1e-5, 1e-5, $"conv2d s{stride} p{padding} d{dilation} g{groups}");
        }
        OpCheck.Gradients("conv2d", t => t[0].Conv2d(t[1], t[2], padding: 1), [R(4, [1, 2, 4, 3]), R(5, [3, 2, 3, 3]), R(6, [3])]);
        OpCheck.Gradients("conv2d strided grouped", t => t[0].Conv2d(t[1], null, stride: 2, padding: 1, groups: 2), [R(7, [2, 4, 5, 5]), R(8, [2, 2, 3, 3])]);
        // Half-precision weights are used without conversion and give the widened result.
        var xh = R(9, [1, 3, 5, 5]);
        var wh = R(10, [2, 3, 3, 3]).Cast(DType.F16);
        Assert.Equal(xh.Conv2d(wh.Cast(DType.F32), padding: 1).ToFloatArray(), xh.Conv2d(wh, padding: 1).ToFloatArray());
        var ex = Assert.Throws<TensorShapeException>(() => R(1, [1, 3, 5, 5]).Conv2d(R(2, [2, 4, 3, 3])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[2, 4, 3, 3]", ex.Message);
    }

    [Fact]
    public void UpsampleConcatEmbeddingWhere()
    {
        var x = R(1, [1, 2, 2, 3]);
        var up = x.UpsampleNearest(2);
        Assert.Equal(new Shape(1, 2, 4, 6), up.Shape);
        for (int c = 0; c < 2; c++)
            for (int yy = 0; yy < 4; yy++)
                for (int xx = 0; xx < 6; xx++)
                    Assert.Equal(x[0, c, yy / 2, xx / 2], up[0, c, yy, xx]);
        OpCheck.Gradients("upsample", t => t[0].UpsampleNearest(2), [R(2, [1, 2, 2, 3])]);
        OpCheck.Gradients("upsample 3", t => t[0].UpsampleNearest(3), [R(3, [2, 1, 2, 2])]);

        var a = R(4, [2, 3]);
        var b = R(5, [2, 1]);
        var cat = Ops.Concat([a, b], 1);
        Assert.Equal(new Shape(2, 4), cat.Shape);
        Assert.Equal([a[0, 0], a[0, 1], a[0, 2], b[0, 0], a[1, 0], a[1, 1], a[1, 2], b[1, 0]], cat.ToFloatArray());
        OpCheck.Gradients("concat", t => Ops.Concat([t[0], t[1], t[0]], 1), [R(6, [2, 3]), R(7, [2, 2])]);
        var ints = Ops.Concat([Tensor.FromArray([1L, 2], [2]), Tensor.FromArray([3L], [1])]);
        Assert.Equal([1L, 2, 3], ints.ToArray<long>());
        Assert.Throws<TensorShapeException>(() => Ops.Concat([a, R(8, [3, 3])], 1));

        var table = R(9, [5, 3]);
        var ids = Tensor.FromArray([4L, 0, 4, 2], [2, 2]);
        var e = Ops.Embedding(ids, table);
        Assert.Equal(new Shape(2, 2, 3), e.Shape);
        Assert.Equal(table.Select(0, 4).ToFloatArray(), e.Select(0, 0).Select(0, 0).ToFloatArray());
        Assert.Equal(table.Select(0, 2).ToFloatArray(), e.Select(0, 1).Select(0, 1).ToFloatArray());
        OpCheck.Gradients("embedding", t => Ops.Embedding(t[0], t[1]), [ids, table]);
        Assert.Equal(e.ToFloatArray(), Ops.Embedding(ids.Cast(DType.I32), table).ToFloatArray());
        var halfTable = table.Cast(DType.F16);
        Assert.Equal(Ops.Embedding(ids, halfTable.Cast(DType.F32)).ToFloatArray(), Ops.Embedding(ids, halfTable).ToFloatArray());
        var bad = Assert.Throws<TensorShapeException>(() => Ops.Embedding(Tensor.FromArray([1L, 5], [2]), table));
        Assert.Contains("id 5", bad.Message);
        Assert.Contains("5 rows", bad.Message);
        Assert.Throws<TensorShapeException>(() => Ops.Embedding(Tensor.FromArray([-1], [1]), table));

        var cond = Tensor.FromArray([true, false, true], [3]);
        var wa = R(10, [2, 3]);
        var wb = R(11, [1]);
        var where = Ops.Where(cond, wa, wb);
        Assert.Equal([wa[0, 0], wb[0], wa[0, 2], wa[1, 0], wb[0], wa[1, 2]], where.ToFloatArray());
        OpCheck.Gradients("where", t => Ops.Where(cond, t[0], t[1]), [wa, wb]);
        var mask = Tensor.FromArray([false, true], [2, 1]);
        var filled = wa.MaskedFill(mask, float.NegativeInfinity);
        Assert.Equal(float.NegativeInfinity, filled[1, 2]);
        Assert.Equal(wa[0, 1], filled[0, 1]);
    }

    [Fact]
    public void AttentionMatchesReferenceAndGradients()
    {
        foreach (bool causal in new[] { false, true })
        {
            int b = 2, h = 2, nq = 3, nk = 5, d = 4;
            var q = R(1, [b, h, nq, d], -2, 2);
            var k = R(2, [b, h, nk, d], -2, 2);
            var v = R(3, [b, h, nk, d]);
            var o = Ops.ScaledDotProductAttention(q, k, v, causal: causal);
            var qv = q.ToFloatArray();
            var kv = k.ToFloatArray();
            var vv = v.ToFloatArray();
            var expected = new double[b * h * nq * d];
            double scale = 1 / Math.Sqrt(d);
            for (int bh = 0; bh < b * h; bh++)
                for (int i = 0; i < nq; i++)
                {
                    var s = new double[nk];
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < nk; j++)
                    {
                        if (causal && j > i + nk - nq) { s[j] = double.NegativeInfinity; continue; }
                        for (int t = 0; t < d; t++) s[j] += qv[(bh * nq + i) * d + t] * kv[(bh * nk + j) * d + t] * scale;
                        max = Math.Max(max, s[j]);
                    }
                    double sum = s.Sum(x => Math.Exp(x - max));
                    for (int t = 0; t < d; t++)
                        for (int j = 0; j < nk; j++)
                            expected[(bh * nq + i) * d + t] += Math.Exp(s[j] - max) / sum * vv[(bh * nk + j) * d + t];
                }
            OpCheck.Forward(o, [b, h, nq, d], expected, 1e-5, 1e-6, $"attention causal={causal}");
            OpCheck.Gradients($"attention causal={causal}", t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], causal: causal),
                [R(4, [1, 2, 3, 4], -1, 1), R(5, [1, 2, 4, 4], -1, 1), R(6, [1, 2, 4, 4])]);
        }
        // [B, N, H·D] projections viewed as heads: no copy in, and the result transposes back for free.
        int heads = 2, dim = 3, n = 4;
        var proj = R(7, [1, n, heads * dim]);
        var qh = proj.View(1, n, heads, dim).Transpose(1, 2);
        var oh = Ops.ScaledDotProductAttention(qh, qh, qh);
        var merged = oh.Transpose(1, 2).View(1, n, heads * dim);   // View (not Reshape): must not need a copy
        Assert.Equal(Ops.ScaledDotProductAttention(qh.Contiguous(), qh.Contiguous(), qh.Contiguous()).ToFloatArray(), oh.ToFloatArray());
        Assert.Equal(new Shape(1, n, heads * dim), merged.Shape);
        var ex = Assert.Throws<TensorShapeException>(() => Ops.ScaledDotProductAttention(R(1, [1, 2, 3, 4]), R(2, [1, 2, 5, 3]), R(3, [1, 2, 5, 3])));
        Assert.Contains("scaled_dot_product_attention", ex.Message);
    }

    [Fact]
    public void LossesMatchReferenceAndGradients()
    {
        var logits = R(1, [4, 5], -3, 3);
        var targets = Tensor.FromArray([1L, 4, 0, 4], [4]);
        var lv = logits.ToFloatArray();
        double expected = 0;
        long[] tv = [1, 4, 0, 4];
        for (int i = 0; i < 4; i++)
        {
            double max = lv.Skip(i * 5).Take(5).Max(), sum = 0;
            for (int j = 0; j < 5; j++) sum += Math.Exp(lv[i * 5 + j] - max);
            expected -= lv[i * 5 + tv[i]] - max - Math.Log(sum);
        }
        OpCheck.Forward(Ops.CrossEntropy(logits, targets), [], [expected / 4], 1e-6, 1e-6);
        OpCheck.Gradients("cross_entropy", t => Ops.CrossEntropy(t[0], t[1]), [logits, targets]);
        var bad = Assert.Throws<TensorShapeException>(() => Ops.CrossEntropy(logits, Tensor.FromArray([0L, 5, 0, 0], [4])));
        Assert.Contains("target 5", bad.Message);

        var a = R(2, [3, 4]);
        var b = R(3, [3, 4]);
        var av = a.ToFloatArray();
        var bv = b.ToFloatArray();
        OpCheck.Forward(Ops.MseLoss(a, b), [], [av.Zip(bv, (p, q) => (double)(p - q) * (p - q)).Average()], 1e-6, 1e-7);
        OpCheck.Gradients("mse", t => Ops.MseLoss(t[0], t[1]), [a, b]);
        Assert.Throws<TensorShapeException>(() => Ops.MseLoss(a, R(4, [4])));
    }
}
