using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>A pre-LayerNorm transformer layer: x + attn(ln1(x)), then + mlp(ln2(·)) (CLIP's residual attention block).</summary>
public sealed class MiniTransformerBlock : Module
{
    public MiniTransformerBlock(int width, int heads, int mlpRatio, bool causal)
    {
        LayerNorm1 = Add("layer_norm1", new LayerNorm(width));
        SelfAttn = Add("self_attn", new MiniSelfAttention(width, heads, causal));
        LayerNorm2 = Add("layer_norm2", new LayerNorm(width));
        Mlp = Add("mlp", new MiniMlp(width, width * mlpRatio));
    }

    public LayerNorm LayerNorm1 { get; }
    public MiniSelfAttention SelfAttn { get; }
    public LayerNorm LayerNorm2 { get; }
    public MiniMlp Mlp { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x)
    {
        Tensor h = x + SelfAttn.Forward(LayerNorm1.Forward(x));
        return h + Mlp.Forward(LayerNorm2.Forward(h));
    }

    /// <summary>CLIP's initialisation (openai/CLIP model.py initialize_parameters) for a tower of <paramref name="layers"/> such blocks.</summary>
    internal void InitializeLikeClip(TorchGenerator generator, int width, int layers)
    {
        double attnStd = Math.Pow(width, -0.5);
        double projStd = attnStd * Math.Pow(2 * layers, -0.5);
        double fcStd = Math.Pow(2 * width, -0.5);
        Init.Normal(SelfAttn.QProj.Weight, generator, 0, attnStd);
        Init.Normal(SelfAttn.KProj.Weight, generator, 0, attnStd);
        Init.Normal(SelfAttn.VProj.Weight, generator, 0, attnStd);
        Init.Normal(SelfAttn.OutProj.Weight, generator, 0, projStd);
        Init.Normal(Mlp.Fc1.Weight, generator, 0, fcStd);
        Init.Normal(Mlp.Fc2.Weight, generator, 0, projStd);
        foreach (var bias in new[] { SelfAttn.QProj.Bias, SelfAttn.KProj.Bias, SelfAttn.VProj.Bias, SelfAttn.OutProj.Bias })
            Init.Constant(bias!, 0f);   // nn.MultiheadAttention zeroes its in/out projection biases
    }
}
