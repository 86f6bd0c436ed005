using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// Images to and from the tensors the pipelines use, as diffusers 0.30.3's <c>VaeImageProcessor</c> (image_processor.py)
/// does, so that the same PNG gives the same tensor bit for bit: in, RGB bytes → x / 255 → 2x − 1, NCHW; masks,
/// luminance → / 255 → binarized at 0.5 (1 = repaint); out, clamp(x / 2 + 0.5, 0, 1) → round(x · 255) half to even
/// (numpy's round, which the fixtures' <c>image_uint8</c> uses). Differs: a resize, when the requested size differs
/// from the image's, uses <see cref="ResizeFilter.Auto"/> (area when shrinking, bicubic when enlarging) where diffusers
/// uses PIL's Lanczos; the pipelines never resize an image that already has the requested size.
/// </summary>
public static class VaeImageProcessor
{
    /// <summary>
    /// The size an image is processed at when none is asked for: its own, each side rounded down to a multiple of
    /// <paramref name="factor"/> (diffusers <c>get_default_height_width</c>). Throws when a side would become 0.
    /// </summary>
    public static (int Width, int Height) DefaultSize(Image image, int factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width - image.Width % factor, height = image.Height - image.Height % factor;
        if (width == 0 || height == 0)
            throw new ArgumentException($"The image is {image.Width}x{image.Height}; each side must be at least {factor} pixels (the VAE's scale factor).", nameof(image));
        return (width, height);
    }

    /// <summary>
    /// [1, 3, H, W] in [-1, 1] for the VAE encoder: the image as RGB (alpha dropped, gray repeated), resized to
    /// <paramref name="width"/> × <paramref name="height"/> when its size differs.
    /// </summary>
    public static Tensor ToTensor(Image image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image rgb = image.Channels == 3 ? image : image.ToRgb();
        if (rgb.Width != width || rgb.Height != height)
            rgb = rgb.Resize(width, height);
        return Tensor.FromArray(rgb.ToChw(SampleRange.MinusOneToOne), [1, 3, height, width]);   // [1, 3, H, W]
    }

    /// <summary>
    /// [1, 1, H, W] of 0 (keep) and 1 (repaint) for the inpainting pipeline (diffusers' mask processor:
    /// <c>do_convert_grayscale</c>, <c>do_normalize=False</c>, <c>do_binarize=True</c>): resized when its size differs,
    /// luminance as PIL's <c>convert("L")</c> computes it, / 255, then values below 0.5 → 0 and the rest → 1.
    /// </summary>
    public static Tensor MaskToTensor(Image mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Width != width || mask.Height != height)
            mask = mask.Resize(width, height);
        byte[] luma = Luminance(mask);
        var values = new float[luma.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = luma[i] / 255f < 0.5f ? 0f : 1f;
        return Tensor.FromArray(values, [1, 1, height, width]);   // [1, 1, H, W]
    }

    /// <summary>
    /// PIL's <c>convert("L")</c> of 8-bit pixels: ITU-R 601 luma in 16-bit fixed point, rounded
    /// (Pillow Convert.c, <c>L24</c>); gray images as they are; alpha ignored.
    /// </summary>
    public static byte[] Luminance(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int pixels = image.Width * image.Height, channels = image.Channels;
        var luma = new byte[pixels];
        ReadOnlySpan<byte> p = image.Pixels;
        for (int i = 0, s = 0; i < pixels; i++, s += channels)
            luma[i] = channels >= 3 ? (byte)((p[s] * 19595 + p[s + 1] * 38470 + p[s + 2] * 7471 + 0x8000) >> 16) : p[s];
        return luma;
    }

    /// <summary>
    /// <c>torch.nn.functional.interpolate(x, size=(height, width))</c> in its default "nearest" mode:
    /// output pixel i takes input pixel floor(i · in / out), the scale computed in float32 as PyTorch does.
    /// </summary>
    // x [B, C, H, W] -> [B, C, height, width]
    public static Tensor ResizeNearest(Tensor x, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4)
            throw new TensorShapeException("interpolate(nearest)", $"input {x.Shape}", "[B, C, H, W]");
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"interpolate(nearest): target {height}x{width} must be at least 1x1.");
        int planes = x.Shape[0] * x.Shape[1], inH = x.Shape[2], inW = x.Shape[3];
        int[] rows = NearestIndices(inH, height), columns = NearestIndices(inW, width);
        float[] source = x.ToFloatArray();
        var result = new float[(long)planes * height * width];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++)
                    result[((long)p * height + i) * width + j] = source[((long)p * inH + rows[i]) * inW + columns[j]];
        return Tensor.FromArray(result, [x.Shape[0], x.Shape[1], height, width]);
    }

    /// <summary>What diffusers returns with <c>output_type="np"</c>: clamp(decoded / 2 + 0.5, 0, 1).</summary>
    // decoded [B, 3, H, W] in about [-1, 1] -> [B, 3, H, W] in [0, 1]
    public static Tensor Postprocess(Tensor decoded)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        return decoded.Div(2f).Add(0.5f).Clamp(0f, 1f);
    }

    /// <summary>8-bit RGB images of <paramref name="images"/> [B, 3, H, W] in [0, 1]: round(x · 255), ties to even (numpy).</summary>
    public static Image[] ToImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3)
            throw new TensorShapeException("VaeImageProcessor.ToImages", $"images {images.Shape}", "[B, 3, H, W] in [0, 1]");
        int batch = images.Shape[0], height = images.Shape[2], width = images.Shape[3];
        float[] values = images.ToFloatArray();
        int size = 3 * height * width;
        var result = new Image[batch];
        for (int b = 0; b < batch; b++)
            result[b] = ImageChw.FromChw(values.AsSpan(b * size, size), 3, height, width, SampleRange.ZeroToOne);
        return result;
    }

    /// <summary>PyTorch's nearest source index for each of <paramref name="output"/> positions (UpSample.h, nearest_idx).</summary>
    internal static int[] NearestIndices(int input, int output)
    {
        var indices = new int[output];
        if (input == output)
        {
            for (int i = 0; i < output; i++) indices[i] = i;
            return indices;
        }
        float scale = (float)input / output;
        for (int i = 0; i < output; i++)
            indices[i] = Math.Min((int)MathF.Floor(i * scale), input - 1);
        return indices;
    }
}
