using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// The spatial transformer (diffusers <c>Transformer2DModel</c>, continuous input; LDM's SpatialTransformer):
/// GroupNorm (eps 1e-6, G10) → proj_in → the feature map as HW tokens (row-major, h·W + w) → transformer blocks →
/// proj_out → back to [B, C, H, W] → + input (G12). SD 1.x projects with 1x1 convolutions before flattening;
/// <c>use_linear_projection</c> (SD 2.x) flattens first and projects with Linear layers — the same arithmetic,
/// different weight shapes ([C, C, 1, 1] vs [C, C]).
/// </summary>
public sealed class Transformer2DModel : Module
{
    // diffusers Transformer2DModel builds its GroupNorm with eps=1e-6 whatever the UNet's norm_eps.
    private const float NormEps = 1e-6f;

    private readonly Conv2d? _projInConv, _projOutConv;
    private readonly Linear? _projInLinear, _projOutLinear;

    public Transformer2DModel(int channels, int heads, int layers, int crossAttentionDim, int groups, bool useLinearProjection)
    {
        if (channels % heads != 0)
            throw new ArgumentException($"Transformer2DModel: {channels} channels do not split into {heads} heads.");
        Channels = channels;
        UseLinearProjection = useLinearProjection;
        int headDim = channels / heads;
        Norm = Add("norm", new GroupNorm(groups, channels, NormEps));
        if (useLinearProjection) _projInLinear = Add("proj_in", new Linear(channels, channels));
        else _projInConv = Add("proj_in", new Conv2d(channels, channels, 1));
        TransformerBlocks = Add("transformer_blocks", new ModuleList<BasicTransformerBlock>(
            Enumerable.Range(0, layers).Select(_ => new BasicTransformerBlock(channels, heads, headDim, crossAttentionDim))));
        if (useLinearProjection) _projOutLinear = Add("proj_out", new Linear(channels, channels));
        else _projOutConv = Add("proj_out", new Conv2d(channels, channels, 1));
    }

    public int Channels { get; }
    public bool UseLinearProjection { get; }
    public GroupNorm Norm { get; }
    public ModuleList<BasicTransformerBlock> TransformerBlocks { get; }

    // x [B, C, H, W], context [B, M, cross_attention_dim] -> [B, C, H, W]
    public Tensor Forward(Tensor x, Tensor context)
    {
        using var scope = TensorScope.Begin();
        int b = x.Shape[0], c = x.Shape[1], height = x.Shape[2], width = x.Shape[3];
        Tensor h = Norm.Forward(x);
        if (_projInConv is not null) h = _projInConv.Forward(h);             // [B, C, H, W]
        h = h.Permute(0, 2, 3, 1).Reshape(b, height * width, c);              // [B, HW, C]
        if (_projInLinear is not null) h = _projInLinear.Forward(h);          // [B, HW, C]
        foreach (var block in TransformerBlocks)
            h = block.Forward(h, context);                                    // [B, HW, C]
        if (_projOutLinear is not null) h = _projOutLinear.Forward(h);        // [B, HW, C]
        h = h.Reshape(b, height, width, c).Permute(0, 3, 1, 2).Contiguous(); // [B, C, H, W]
        if (_projOutConv is not null) return scope.Keep(_projOutConv.Forward(h, residual: x)); // proj_out(h) + x
        return scope.Keep(h.Add(x));
    }
}
