using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>The transformer feed-forward fc2(gelu(fc1(x))) (exact erf GELU, as OpenCLIP).</summary>
public sealed class MiniMlp : Module
{
    public MiniMlp(int width, int hidden)
    {
        Fc1 = Add("fc1", new Linear(width, hidden));
        Fc2 = Add("fc2", new Linear(hidden, width));
    }

    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x) => Fc2.Forward(Fc1.Forward(x).Gelu());   // [B, N, 4D] inside
}
