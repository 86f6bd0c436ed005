using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>2-D convolution, weight [out, in/groups, k, k] (torch.nn.Conv2d layout; may stay F16/BF16).</summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, int groups = 1)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: channels {inChannels} -> {outChannels} are not divisible by groups {groups}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        Weight = AddParameter("weight", [outChannels, inChannels / groups, kernelSize, kernelSize]);
        Bias = bias ? AddParameter("bias", [outChannels]) : null;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Groups { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    // [B, in, H, W] -> [B, out, H', W']
    public Tensor Forward(Tensor x) => x.Conv2d(Weight.Value, Bias?.Value, stride: Stride, padding: Padding, groups: Groups);

    /// <summary>Forward(x) + residual (residual [B, out, H', W']) with the addition fused into the convolution's output.</summary>
    public Tensor Forward(Tensor x, Tensor residual) => x.Conv2d(Weight.Value, Bias?.Value, stride: Stride, padding: Padding, groups: Groups, residual: residual);
}
