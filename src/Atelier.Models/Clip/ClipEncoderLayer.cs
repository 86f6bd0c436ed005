using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>One pre-LayerNorm transformer layer (transformers <c>CLIPEncoderLayer</c>, gotcha G5).</summary>
public sealed class ClipEncoderLayer : Module
{
    public ClipEncoderLayer(ClipTextConfig config)
    {
        float eps = (float)config.LayerNormEps;
        SelfAttn = Add("self_attn", new ClipAttention(config));
        LayerNorm1 = Add("layer_norm1", new LayerNorm(config.HiddenSize, eps));
        Mlp = Add("mlp", new ClipMlp(config));
        LayerNorm2 = Add("layer_norm2", new LayerNorm(config.HiddenSize, eps));
    }

    public ClipAttention SelfAttn { get; }
    public LayerNorm LayerNorm1 { get; }
    public ClipMlp Mlp { get; }
    public LayerNorm LayerNorm2 { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x)
    {
        Tensor h = x + SelfAttn.Forward(LayerNorm1.Forward(x));
        return h + Mlp.Forward(LayerNorm2.Forward(h));
    }
}
