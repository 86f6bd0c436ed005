using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The mid-block self-attention of the VAE (diffusers <c>Attention</c> with one head of size C, residual connection;
/// ldm's <c>AttnBlock</c>; gotcha G19): GroupNorm (eps 1e-6), then q/k/v Linear with bias over the H·W positions
/// (row-major, h·W + w), softmax(q kᵀ / √C) v, <c>to_out.0</c>, plus the input.
/// </summary>
public sealed class VaeAttention : Module
{
    private readonly float _scale;

    public VaeAttention(int channels, int groups, float eps)
    {
        Channels = channels;
        _scale = (float)(1.0 / Math.Sqrt(channels));
        GroupNorm = Add("group_norm", new GroupNorm(groups, channels, eps));
        ToQ = Add("to_q", new Linear(channels, channels));
        ToK = Add("to_k", new Linear(channels, channels));
        ToV = Add("to_v", new Linear(channels, channels));
        ToOut = Add("to_out", new ModuleList<Linear>([new Linear(channels, channels)]));
    }

    public int Channels { get; }
    public GroupNorm GroupNorm { get; }
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }

    /// <summary><c>to_out.0</c>: the output projection (diffusers keeps a dropout as <c>to_out.1</c>, which has no weights).</summary>
    public ModuleList<Linear> ToOut { get; }

    // x [B, C, H, W] -> [B, C, H, W]
    public Tensor Forward(Tensor x) => Scoped.Run(() =>
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        Tensor tokens = GroupNorm.Forward(x).View(b, c, h * w).Transpose(1, 2);   // [B, HW, C]
        Tensor q = ToQ.Forward(tokens);                                            // [B, HW, C]
        Tensor k = ToK.Forward(tokens);                                            // [B, HW, C]
        Tensor v = ToV.Forward(tokens);                                            // [B, HW, C]
        Tensor o = Ops.ScaledDotProductAttention(q, k, v, _scale);                 // [B, HW, C]
        o = ToOut[0].Forward(o);                                                   // [B, HW, C]
        return o.Transpose(1, 2).Reshape(b, c, h, w) + x;                          // [B, C, H, W]
    });
}
