using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>The feed-forward of a CLIP text layer: fc2(act(fc1(x))), act from <c>hidden_act</c> (transformers <c>CLIPMLP</c>).</summary>
public sealed class ClipMlp : Module
{
    public ClipMlp(ClipTextConfig config)
    {
        Activation = config.HiddenAct switch
        {
            "quick_gelu" or "gelu" or "gelu_new" or "gelu_pytorch_tanh" => config.HiddenAct,
            _ => throw new ArgumentException(
                $"ClipTextConfig.HiddenAct: \"{config.HiddenAct}\" is not supported; expected quick_gelu (SD 1.x), gelu (SD 2.x), gelu_new or gelu_pytorch_tanh.", nameof(config)),
        };
        Fc1 = Add("fc1", new Linear(config.HiddenSize, config.IntermediateSize));
        Fc2 = Add("fc2", new Linear(config.IntermediateSize, config.HiddenSize));
    }

    /// <summary>The transformers name of the activation.</summary>
    public string Activation { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x)
    {
        Tensor h = Fc1.Forward(x);   // [B, N, I]
        h = Activation switch
        {
            "quick_gelu" => h.QuickGelu(),  // x·σ(1.702x), openai CLIP
            "gelu" => h.Gelu(),             // exact erf GELU, OpenCLIP
            _ => h.GeluTanh(),              // gelu_new / gelu_pytorch_tanh: the tanh approximation
        };
        return Fc2.Forward(h);       // [B, N, D]
    }
}
