using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Layer normalisation over the last dimension with an optional affine (torch.nn.LayerNorm).</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int features, float eps = 1e-5f, bool affine = true)
    {
        Features = features;
        Eps = eps;
        Weight = affine ? AddParameter("weight", [features]) : null;
        Bias = affine ? AddParameter("bias", [features]) : null;
    }

    public int Features { get; }
    public float Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    // [..., features] -> same
    public Tensor Forward(Tensor x) => x.LayerNorm([Features], Weight?.Value, Bias?.Value, Eps);
}
