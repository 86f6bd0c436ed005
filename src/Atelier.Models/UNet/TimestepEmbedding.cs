using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// The timestep MLP ("time_embedding"; diffusers <c>TimestepEmbedding</c>): Linear → SiLU → Linear, lifting the
/// sinusoidal embedding (width block_out_channels[0]) to the width every ResNet receives (4 × that).
/// </summary>
public sealed class TimestepEmbedding : Module
{
    public TimestepEmbedding(int inChannels, int timeEmbedDim)
    {
        Linear1 = Add("linear_1", new Linear(inChannels, timeEmbedDim));
        Linear2 = Add("linear_2", new Linear(timeEmbedDim, timeEmbedDim));
    }

    public Linear Linear1 { get; }
    public Linear Linear2 { get; }

    // [B, in] -> [B, time_embed_dim]
    public Tensor Forward(Tensor sample)
    {
        using var scope = TensorScope.Begin();
        Tensor h = Linear1.Forward(sample).Silu();
        return scope.Keep(Linear2.Forward(h));
    }
}
