using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Gated GELU (diffusers <c>GEGLU</c>; Shazeer 2020, "GLU Variants Improve Transformer"): one Linear to twice the
/// inner width, split in half along the features, value · GELU(gate) with the exact erf GELU (G13).
/// </summary>
public sealed class Geglu : Module
{
    public Geglu(int dimIn, int dimOut)
    {
        DimOut = dimOut;
        Proj = Add("proj", new Linear(dimIn, dimOut * 2));
    }

    public int DimOut { get; }
    public Linear Proj { get; }

    // [B, N, in] -> [B, N, out]
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Begin();
        Tensor h = Proj.Forward(x);                                           // [B, N, 2·out]: value, then gate
        return scope.Keep(h.Geglu());                                         // [B, N, out] = value · GELU(gate)
    }
}
