using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>Image ↔ tensor conversions and the one 64→32 reduction of atelier-mini.</summary>
public static class MiniImageOps
{
    /// <summary>The model's image side.</summary>
    public const int ImageSize = 64;

    /// <summary>
    /// A user image as the model sees it: composited on white (the data set's background), resized to 64x64 if needed,
    /// as [1, 3, 64, 64] in [−1, 1].
    /// </summary>
    public static Tensor ToTensor(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image rgb = image.HasAlpha ? image.CompositeOver(255, 255, 255) : image.ToRgb();
        if (rgb.Width != ImageSize || rgb.Height != ImageSize) rgb = rgb.Resize(ImageSize, ImageSize);
        return Tensor.FromArray(rgb.ToChw(SampleRange.MinusOneToOne), [1, 3, ImageSize, ImageSize]);   // [1, 3, 64, 64]
    }

    /// <summary>Batch element <paramref name="index"/> of [B, 3, H, W] in [−1, 1] as an RGB image (clamped, rounded).</summary>
    public static Image ToImage(Tensor images, int index = 0)
    {
        int h = images.Shape[2], w = images.Shape[3];
        float[] chw = images.Narrow(0, index, 1).Contiguous().ToFloatArray();
        return ImageChw.FromChw(chw, 3, h, w, SampleRange.MinusOneToOne);
    }

    /// <summary>2x2 box average: [B, C, 2S, 2S] → [B, C, S, S] (no gradient).</summary>
    public static Tensor Downsample(Tensor images)
    {
        if (images.Rank != 4 || images.Shape[2] % 2 != 0 || images.Shape[3] % 2 != 0)
            throw new TensorShapeException("mini downsample", $"images {images.Shape}", "[B, C, H, W] with even H and W");
        int b = images.Shape[0], c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        float[] x = images.Contiguous().ToFloatArray();
        int ho = h / 2, wo = w / 2;
        var y = new float[b * c * ho * wo];
        for (int plane = 0; plane < b * c; plane++)
        {
            int src = plane * h * w, dst = plane * ho * wo;
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    int p = src + 2 * i * w + 2 * j;
                    y[dst + i * wo + j] = 0.25f * (x[p] + x[p + 1] + x[p + w] + x[p + w + 1]);
                }
        }
        return Tensor.FromArray(y, [b, c, ho, wo]);                                 // [B, C, S, S]
    }
}
