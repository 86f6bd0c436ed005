using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>An image encoder of CLIP-mini: images [B, 3, S, S] in [−1, 1] → features in the joint space [B, E] (not normalised).</summary>
public abstract class MiniClipImageTower : Module
{
    public abstract Tensor Forward(Tensor images);

    internal abstract void InitializeLikeClip(TorchGenerator generator);

    /// <summary>Multiply-adds of one forward pass of one image ×2 (FLOPs), counted from the layer shapes.</summary>
    public abstract long ForwardFlopsPerImage { get; }

    internal static void RequireImages(Tensor images, int size)
    {
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != size || images.Shape[3] != size)
            throw new TensorShapeException("mini_clip_image", $"images {images.Shape}", $"[B, 3, {size}, {size}] RGB in [-1, 1]");
    }
}
