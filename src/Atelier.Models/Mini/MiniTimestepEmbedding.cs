using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The timestep MLP (DDPM; diffusers <c>TimestepEmbedding</c>: linear_1 → SiLU → linear_2) that lifts the sinusoidal
/// embedding to the width every residual block receives. Same layers as <c>Models/UNet/TimestepEmbedding</c>, kept
/// separate because the mini models are trained: no inner tensor scope may release what backward needs.
/// </summary>
public sealed class MiniTimestepEmbedding : Module
{
    public MiniTimestepEmbedding(int inChannels, int embedDim)
    {
        Linear1 = Add("linear_1", new Linear(inChannels, embedDim));
        Linear2 = Add("linear_2", new Linear(embedDim, embedDim));
    }

    public Linear Linear1 { get; }
    public Linear Linear2 { get; }

    // [B, in] -> [B, E]
    public Tensor Forward(Tensor sinusoid) => Linear2.Forward(Linear1.Forward(sinusoid).Silu());
}
