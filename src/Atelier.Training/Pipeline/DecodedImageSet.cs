using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Training.Pipeline;

/// <summary>
/// The training images decoded once and kept in memory as composited RGB bytes (64x64x3 = 12 KiB each, ~200 MB for
/// the whole data set; floats would be four times that), converted to a float batch on demand:
/// PNG → RGBA → over white (the data set's one background, design doc) → bytes; per batch → [B, 3, S, S] in [−1, 1].
/// </summary>
public sealed class DecodedImageSet
{
    private readonly byte[][] _pixels;

    private DecodedImageSet(byte[][] pixels, int size)
    {
        _pixels = pixels;
        Size = size;
    }

    /// <summary>Decodes every file (in parallel) and checks that each is <paramref name="size"/>×<paramref name="size"/>.</summary>
    public static DecodedImageSet Load(IReadOnlyList<string> paths, int size)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var pixels = new byte[paths.Count][];
        Parallel.For(0, paths.Count, i =>
        {
            string path = paths[i];
            if (!File.Exists(path))
                throw new FileNotFoundException($"training image {path} is missing; run `atelier data build` or pass the right --data folder.", path);
            Image image = PngDecoder.DecodeFile(path).Image;
            if (image.Width != size || image.Height != size)
                throw new InvalidDataException($"training image {path} is {image.Width}x{image.Height}; the data set's images are {size}x{size}.");
            pixels[i] = image.CompositeOver(255, 255, 255).Pixels;
        });
        return new DecodedImageSet(pixels, size);
    }

    /// <summary>Wraps already decoded RGB images (<paramref name="size"/>² × 3 bytes each), e.g. synthetic test data.</summary>
    public static DecodedImageSet FromRgb(IReadOnlyList<byte[]> images, int size)
    {
        for (int i = 0; i < images.Count; i++)
            if (images[i].Length != size * size * 3)
                throw new ArgumentException($"image {i} has {images[i].Length} bytes; a {size}x{size} RGB image has {size * size * 3}.", nameof(images));
        return new DecodedImageSet(images.ToArray(), size);
    }

    public int Count => _pixels.Length;

    /// <summary>Side length in pixels.</summary>
    public int Size { get; }

    /// <summary>Interleaved RGB bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Pixels(int index) => _pixels[index];

    /// <summary>
    /// The images at <paramref name="indices"/> as a float batch [B, 3, S, S] in [−1, 1], each passed through
    /// <paramref name="augmentation"/> when given (drawing from <paramref name="generator"/> in batch order).
    /// </summary>
    public Tensor Batch(IReadOnlyList<int> indices, IImageAugmentation? augmentation = null, TorchGenerator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (augmentation is not null && generator is null)
            throw new ArgumentNullException(nameof(generator), "image batch: an augmentation needs the run's generator.");
        int plane = 3 * Size * Size;
        var data = new float[indices.Count * plane];
        for (int b = 0; b < indices.Count; b++)
        {
            int index = indices[b];
            if ((uint)index >= (uint)_pixels.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"image batch: index {index} is outside the {_pixels.Length} images.");
            Span<float> chw = data.AsSpan(b * plane, plane);
            if (augmentation is not null)
                augmentation.Apply(_pixels[index], Size, chw, generator!);
            else
                ToChw(_pixels[index], Size, chw);
        }
        return Tensor.FromArray(data, [indices.Count, 3, Size, Size]);   // [B, 3, S, S]
    }

    private static void ToChw(ReadOnlySpan<byte> rgb, int size, Span<float> chw)
    {
        int plane = size * size;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                chw[c * plane + p] = rgb[p * 3 + c] * (2f / 255f) - 1f;
    }
}
