using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>y = x Wᵀ + b, with W [out, in] (torch.nn.Linear layout; W may stay F16/BF16).</summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = AddParameter("weight", [outFeatures, inFeatures]);
        Bias = bias ? AddParameter("bias", [outFeatures]) : null;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    // [..., in] -> [..., out]
    public Tensor Forward(Tensor x) => x.Linear(Weight.Value, Bias?.Value);

    /// <summary>Forward(x) + residual (residual [..., out]) with the addition fused into the product's output.</summary>
    public Tensor Forward(Tensor x, Tensor residual) => x.Linear(Weight.Value, Bias?.Value, residual);
}
