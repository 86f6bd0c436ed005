using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// CLIP-mini's convolutional image tower (design: "stem + 4 stages 32/64/128/256 with stride 2, global pool"):
/// a 3x3 stem at full resolution, four stages of pre-activation residual blocks each halving the resolution
/// (64 → 32 → 16 → 8 → 4 for 64x64 inputs), a final GroupNorm + SiLU, global average pooling and a linear
/// projection into the joint space. CLIP's ResNets end in attention pooling; at 4x4 a mean is as good and cheaper.
/// </summary>
public sealed class MiniClipResNet : MiniClipImageTower
{
    public MiniClipResNet(MiniClipConfig config)
    {
        Config = config;
        int[] w = config.ResNetWidths;
        Stem = Add("stem", new Conv2d(3, w[0], 3, 1, padding: 1));
        var stages = new List<ModuleList<MiniResidualBlock>>();
        Stages = Add("stages", new ModuleList<ModuleList<MiniResidualBlock>>());
        for (int s = 0; s < 4; s++)
        {
            var blocks = new ModuleList<MiniResidualBlock>();
            for (int i = 0; i < config.ResNetDepths[s]; i++)
                blocks.Append(new MiniResidualBlock(i == 0 ? w[s] : w[s + 1], w[s + 1], i == 0 ? 2 : 1, config.ResNetGroups));
            Stages.Append(blocks);
        }
        FinalNorm = Add("final_norm", new GroupNorm(config.ResNetGroups, w[4]));
        Projection = Add("projection", new Linear(w[4], config.EmbedDim, bias: false));
    }

    public MiniClipConfig Config { get; }
    public Conv2d Stem { get; }
    public ModuleList<ModuleList<MiniResidualBlock>> Stages { get; }
    public GroupNorm FinalNorm { get; }
    public Linear Projection { get; }

    // images [B, 3, S, S] -> [B, E]
    public override Tensor Forward(Tensor images)
    {
        RequireImages(images, Config.ImageSize);
        Tensor h = Stem.Forward(images);                    // [B, w0, S, S]
        foreach (var stage in Stages)
            foreach (var block in stage)
                h = block.Forward(h);                       // [B, w_s, S/2^s, S/2^s]
        h = FinalNorm.Forward(h).Silu();                    // [B, w4, S/16, S/16]
        Tensor pooled = h.Mean([2, 3]);                     // [B, w4]
        return Projection.Forward(pooled);                  // [B, E]
    }

    public override long ForwardFlopsPerImage
    {
        get
        {
            int size = Config.ImageSize;
            long flops = 2L * size * size * Stem.OutChannels * 3 * 9;
            foreach (var stage in Stages)
                foreach (var block in stage)
                {
                    flops += block.Flops(size);
                    size /= block.Conv1.Stride;
                }
            return flops + 2L * Projection.InFeatures * Projection.OutFeatures;
        }
    }

    internal override void InitializeLikeClip(TorchGenerator generator) =>
        Init.Normal(Projection.Weight, generator, 0, Math.Pow(Projection.InFeatures, -0.5));
}
