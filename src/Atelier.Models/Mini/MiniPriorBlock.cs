using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// One residual MLP block of <see cref="MiniPrior"/>: x + fc2(SiLU(fc1(LN(x)) + cond_proj(c))), the conditioning
/// vector c (timestep + text) added inside the block as DDPM adds its time embedding inside every residual block.
/// fc2 starts at zero (GLIDE zero_module), so a fresh block is the identity.
/// </summary>
public sealed class MiniPriorBlock : Module
{
    public MiniPriorBlock(int width, int hidden)
    {
        Norm = Add("norm", new LayerNorm(width));
        Fc1 = Add("fc1", new Linear(width, hidden));
        CondProj = Add("cond_proj", new Linear(width, hidden));
        Fc2 = Add("fc2", new Linear(hidden, width));
    }

    public LayerNorm Norm { get; }
    public Linear Fc1 { get; }
    public Linear CondProj { get; }
    public Linear Fc2 { get; }

    public IEnumerable<Parameter> ZeroInitialized => [Fc2.Weight, Fc2.Bias!];

    // x [B, W], cond [B, W] (already through SiLU) -> [B, W]
    public Tensor Forward(Tensor x, Tensor cond)
    {
        Tensor h = Fc1.Forward(Norm.Forward(x)).Add(CondProj.Forward(cond));   // [B, hidden]
        return x.Add(Fc2.Forward(h.Silu()));                                   // [B, W]
    }
}
