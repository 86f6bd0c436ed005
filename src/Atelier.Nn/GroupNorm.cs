using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Group normalisation over contiguous channel groups with a per-channel affine (torch.nn.GroupNorm).</summary>
public sealed class GroupNorm : Module
{
    public GroupNorm(int groups, int channels, float eps = 1e-5f, bool affine = true)
    {
        if (channels % groups != 0)
            throw new ArgumentException($"GroupNorm: {channels} channels are not divisible into {groups} groups.");
        Groups = groups;
        Channels = channels;
        Eps = eps;
        Weight = affine ? AddParameter("weight", [channels]) : null;
        Bias = affine ? AddParameter("bias", [channels]) : null;
    }

    public int Groups { get; }
    public int Channels { get; }
    public float Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    // [B, C, ...] -> same
    public Tensor Forward(Tensor x) => x.GroupNorm(Groups, Weight?.Value, Bias?.Value, Eps);

    /// <summary>SiLU(GroupNorm(x)) in one pass (the pre-activation of residual blocks); same values as <c>Forward(x).Silu()</c>.</summary>
    public Tensor ForwardSilu(Tensor x) => x.GroupNormSilu(Groups, Weight?.Value, Bias?.Value, Eps);
}
