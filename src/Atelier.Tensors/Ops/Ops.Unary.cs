using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

// Elementwise functions of one tensor. Accuracy: exact for abs/neg/square/sqrt/rsqrt/relu/clamp; about 1 ulp for
// exp/log/sin/cos/tanh/pow; ~1e-6 relative for GELU (see Kernels/Gelu.cs). NaN in → NaN out unless stated.
public static partial class Ops
{
    /// <summary>|x|; the gradient at 0 is 0.</summary>
    public static Tensor Abs(this Tensor x) => UnaryWithInput("abs", x, new AbsOperator(), Derivatives.Abs);

    /// <summary>e^x (-∞ → 0, overflow → +∞).</summary>
    public static Tensor Exp(this Tensor x) => UnaryWithOutput("exp", x, new ExpOperator(), Derivatives.Exp);

    /// <summary>Natural logarithm (0 → -∞, x &lt; 0 → NaN).</summary>
    public static Tensor Log(this Tensor x) => UnaryWithInput("log", x, new LogOperator(), Derivatives.Log);

    /// <summary>√x (x &lt; 0 → NaN).</summary>
    public static Tensor Sqrt(this Tensor x) => UnaryWithOutput("sqrt", x, new SqrtOperator(), Derivatives.Sqrt);

    /// <summary>1/√x, computed exactly as a division (0 → +∞, x &lt; 0 → NaN).</summary>
    public static Tensor Rsqrt(this Tensor x) => UnaryWithOutput("rsqrt", x, new RsqrtOperator(), Derivatives.Rsqrt);

    /// <summary>x² (exact).</summary>
    public static Tensor Square(this Tensor x) => UnaryWithInput("square", x, new SquareOperator(), Derivatives.Square);

    /// <summary>x^p like powf: negative x gives NaN unless p is an integer; p = 0 gives 1 everywhere (even for NaN).</summary>
    public static Tensor Pow(this Tensor x, float p)
    {
        Elementwise.RequireFloat("pow", x);
        Tensor y;
        if (p == 0) y = Tensor.Ones(x.Shape);
        else if (p == 1) y = Elementwise.Unary("pow", x, new BoundRight<MultiplyOperator>(default, 1f));
        else if (p == 2) y = Elementwise.Unary("pow", x, new SquareOperator());
        else y = Elementwise.Unary("pow", x, new PowOperator(p));
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "pow", Derivatives.Pow, x).Floats = [p];
        return y;
    }

    /// <summary>
    /// min(max(x, <paramref name="min"/>), <paramref name="max"/>); NaN stays NaN. The gradient passes where
    /// min ≤ x ≤ max.
    /// </summary>
    public static Tensor Clamp(this Tensor x, float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max)
            throw new ArgumentOutOfRangeException(nameof(min), $"clamp: min {min} > max {max} for tensor {x.Shape}; expected min <= max.");
        var y = Elementwise.Unary("clamp", x, new ClampOperator(min, max));
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "clamp", Derivatives.Clamp, x).Floats = [min, max];
        return y;
    }

    /// <summary>sin x, accurate for large arguments (timestep embeddings); ±∞ → NaN.</summary>
    public static Tensor Sin(this Tensor x) => UnaryWithInput("sin", x, new SinOperator(), Derivatives.Sin);

    /// <summary>cos x, accurate for large arguments; ±∞ → NaN.</summary>
    public static Tensor Cos(this Tensor x) => UnaryWithInput("cos", x, new CosOperator(), Derivatives.Cos);

    /// <summary>tanh x (±∞ → ±1).</summary>
    public static Tensor Tanh(this Tensor x) => UnaryWithOutput("tanh", x, new TanhOperator(), Derivatives.Tanh);

    /// <summary>1/(1 + e^-x).</summary>
    public static Tensor Sigmoid(this Tensor x) => UnaryWithOutput("sigmoid", x, new SigmoidOperator(), Derivatives.Sigmoid);

    /// <summary>max(x, 0); relu(NaN) = NaN.</summary>
    public static Tensor Relu(this Tensor x) => UnaryWithInput("relu", x, new ReluOperator(), Derivatives.Relu);

    /// <summary>SiLU (swish): x·σ(x), computed as x/(1 + e^-x) like PyTorch.</summary>
    public static Tensor Silu(this Tensor x)
    {
        var y = Elementwise.Unary("silu", x, new SiluOperator(1f));
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "silu", Derivatives.Silu, x).Floats = [1f];
        return y;
    }

    /// <summary>QuickGELU of OpenAI CLIP: x·σ(1.702x).</summary>
    public static Tensor QuickGelu(this Tensor x)
    {
        var y = Elementwise.Unary("quick_gelu", x, new SiluOperator(1.702f));
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "quick_gelu", Derivatives.Silu, x).Floats = [1.702f];
        return y;
    }

    /// <summary>Exact GELU x·Φ(x) (PyTorch's default, approximate='none'); matches it to ~1e-6 relative. gelu(+∞) = +∞, gelu(-∞) = NaN.</summary>
    public static Tensor Gelu(this Tensor x) => UnaryWithInput("gelu", x, new GeluOperator(), Derivatives.Gelu);

    /// <summary>Tanh-approximated GELU (PyTorch approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static Tensor GeluTanh(this Tensor x) => UnaryWithInput("gelu_tanh", x, new GeluTanhOperator(), Derivatives.GeluTanh);

    private static Tensor UnaryWithInput<TOp>(string op, Tensor x, TOp f, BackwardRule rule) where TOp : struct, IUnaryOperator
    {
        var y = Elementwise.Unary(op, x, f);
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, op, rule, x);
        return y;
    }

    // For functions whose derivative is cheapest from the output (exp, sqrt, tanh, sigmoid): the output is saved.
    private static Tensor UnaryWithOutput<TOp>(string op, Tensor x, TOp f, BackwardRule rule) where TOp : struct, IUnaryOperator
    {
        var y = Elementwise.Unary(op, x, f);
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, op, rule, x).Saved = [y.Detach()];
        return y;
    }
}
