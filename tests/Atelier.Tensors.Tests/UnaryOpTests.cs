namespace Atelier.Tensors.Tests;

public class UnaryOpTests
{
    public static TheoryData<string> Names => new(Cases.Keys);

    private sealed record Case(Func<Tensor, Tensor> Op, Func<double, double> Reference, float Lo, float Hi, double Rtol, float AwayFromZero = 0);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["neg"] = new(x => -x, v => -v, -3, 3, 0),
        ["abs"] = new(Ops.Abs, Math.Abs, -3, 3, 0, 0.05f),
        ["exp"] = new(Ops.Exp, Math.Exp, -3, 3, 3e-7),
        ["log"] = new(Ops.Log, Math.Log, 0.2f, 3, 3e-7),
        ["sqrt"] = new(Ops.Sqrt, Math.Sqrt, 0.2f, 3, 2e-7),
        ["rsqrt"] = new(Ops.Rsqrt, v => 1 / Math.Sqrt(v), 0.2f, 3, 2e-7),
        ["square"] = new(Ops.Square, v => v * v, -3, 3, 2e-7),
        ["pow2.5"] = new(x => x.Pow(2.5f), v => Math.Pow(v, 2.5), 0.2f, 3, 3e-7),
        ["pow-1"] = new(x => x.Pow(-1f), v => 1 / v, -3, 3, 3e-7, 0.2f),
        ["pow3"] = new(x => x.Pow(3f), v => v * v * v, -3, 3, 3e-7),
        ["clamp"] = new(x => x.Clamp(-0.5f, 0.7f), v => Math.Min(Math.Max(v, -0.5), 0.7), -1, 1, 0),
        ["sin"] = new(Ops.Sin, Math.Sin, -3, 3, 0),
        ["cos"] = new(Ops.Cos, Math.Cos, -3, 3, 0),
        ["tanh"] = new(Ops.Tanh, Math.Tanh, -3, 3, 3e-7),
        ["sigmoid"] = new(Ops.Sigmoid, DoubleReference.Sigmoid, -4, 4, 4e-7),
        ["relu"] = new(Ops.Relu, v => Math.Max(v, 0), -3, 3, 0, 0.05f),
        ["silu"] = new(Ops.Silu, v => v * DoubleReference.Sigmoid(v), -4, 4, 5e-7),
        ["quick_gelu"] = new(Ops.QuickGelu, v => v * DoubleReference.Sigmoid(1.702 * v), -4, 4, 5e-7),
        ["gelu"] = new(Ops.Gelu, DoubleReference.Gelu, -4, 4, 1e-6),
        ["gelu_tanh"] = new(Ops.GeluTanh, DoubleReference.GeluTanh, -3, 3, 1e-6),
        ["add_scalar"] = new(x => x + 0.25f, v => v + 0.25, -3, 3, 1e-7),
        ["rsub_scalar"] = new(x => 2f - x, v => 2 - v, -3, 3, 1e-7),
        ["mul_scalar"] = new(x => x * -1.5f, v => v * -1.5, -3, 3, 1e-7),
        ["div_scalar"] = new(x => x / 3f, v => v / 3, -3, 3, 1e-7),
        ["rdiv_scalar"] = new(x => 2f / x, v => 2 / v, -3, 3, 1e-7, 0.2f),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardMatchesDoublePrecision(string name)
    {
        var c = Cases[name];
        var x = OpCheck.Rand(1, [3, 7, 5], c.Lo, c.Hi, c.AwayFromZero);
        var expected = x.ToFloatArray().Select(v => c.Reference(v)).ToArray();
        OpCheck.Forward(c.Op(x), x.Shape, expected, c.Rtol, c.Rtol == 0 ? 2e-7 : 1e-30, name);
        // Strided and half-precision inputs give the same values as the contiguous float32 input.
        var strided = x.Transpose(0, 2);
        Assert.Equal(c.Op(strided.Contiguous()).ToFloatArray(), c.Op(strided).ToFloatArray());
        var half = x.Cast(DType.F16);
        Assert.Equal(c.Op(half.Cast(DType.F32)).ToFloatArray(), c.Op(half).ToFloatArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var c = Cases[name];
        var x = OpCheck.Rand(2, [2, 3, 4], c.Lo, c.Hi, c.AwayFromZero);
        OpCheck.Gradients(name, t => c.Op(t[0]), [x]);
    }

    [Fact]
    public void SpecialValues()
    {
        var x = Tensor.FromArray([float.NaN, float.NegativeInfinity, float.PositiveInfinity, 0f, -0f], [5]);
        Assert.True(float.IsNaN(x.Relu()[0]));
        Assert.Equal(0f, x.Exp()[1]);
        Assert.Equal(float.PositiveInfinity, x.Exp()[2]);
        Assert.Equal(float.NegativeInfinity, x.Log()[3]);
        Assert.Equal(1f, x.Sigmoid()[2]);
        Assert.Equal(0f, x.Sigmoid()[1]);
        Assert.True(float.IsNaN(x.Clamp(-1, 1)[0]));
        Assert.Equal(-1f, x.Clamp(-1, 1)[1]);
        Assert.Equal(float.PositiveInfinity, x.Gelu()[2]);
        Assert.True(float.IsNaN(x.Gelu()[1]));
        Assert.Equal(1f, x.Pow(0f)[0]);     // powf(NaN, 0) = 1
        Assert.True(float.IsNaN(Tensor.FromArray([-2f], [1]).Pow(0.5f).Item()));
        Assert.Equal(-8f, Tensor.FromArray([-2f], [1]).Pow(3f).Item());
    }
}
