using Atelier.Tensors;

namespace Atelier.Training.Pipeline;

/// <summary>
/// CLIP-mini's augmentation (design: "random translate ±4 px, slight scale; no flips" — arrows and text must keep
/// their direction): a random zoom s about the centre and a shift (dx, dy), sampled bilinearly; pixels from outside
/// the image are the white background the art was composited on. Each image draws three uniforms
/// (s, dx, dy) from the generator, in that order.
/// </summary>
public sealed class RandomShiftScale : IImageAugmentation
{
    public RandomShiftScale(float maxShift = 4f, float minScale = 0.9f, float maxScale = 1.1f)
    {
        if (!(maxShift >= 0)) throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "shift must be zero or positive.");
        if (!(minScale > 0 && minScale <= maxScale)) throw new ArgumentOutOfRangeException(nameof(minScale), minScale, $"need 0 < min scale ≤ max scale ({maxScale}).");
        MaxShift = maxShift;
        MinScale = minScale;
        MaxScale = maxScale;
    }

    public float MaxShift { get; }
    public float MinScale { get; }
    public float MaxScale { get; }

    public void Apply(ReadOnlySpan<byte> rgb, int size, Span<float> chw, TorchGenerator generator)
    {
        Span<float> u = stackalloc float[3];
        generator.Rand(u);
        float scale = MinScale + (MaxScale - MinScale) * u[0];
        float dx = MaxShift * (2 * u[1] - 1), dy = MaxShift * (2 * u[2] - 1);
        Transform(rgb, size, chw, scale, dx, dy);
    }

    /// <summary>
    /// Output pixel (x, y) samples the source at ((x − c − dx)/s + c, (y − c − dy)/s + c), c = (size − 1)/2, bilinearly
    /// with white outside; values map 0…255 → −1…1.
    /// </summary>
    public static void Transform(ReadOnlySpan<byte> rgb, int size, Span<float> chw, float scale, float dx, float dy)
    {
        int plane = size * size;
        if (rgb.Length != plane * 3 || chw.Length != plane * 3)
            throw new ArgumentException($"shift/scale: {rgb.Length} source bytes and {chw.Length} destination floats for a {size}x{size} RGB image (expected {plane * 3} each).");
        float c = (size - 1) / 2f;
        for (int y = 0; y < size; y++)
        {
            float sy = (y - c - dy) / scale + c;
            int y0 = (int)MathF.Floor(sy);
            float fy = sy - y0;
            for (int x = 0; x < size; x++)
            {
                float sx = (x - c - dx) / scale + c;
                int x0 = (int)MathF.Floor(sx);
                float fx = sx - x0;
                for (int ch = 0; ch < 3; ch++)
                {
                    float v = (1 - fy) * ((1 - fx) * Sample(rgb, size, x0, y0, ch) + fx * Sample(rgb, size, x0 + 1, y0, ch))
                            + fy * ((1 - fx) * Sample(rgb, size, x0, y0 + 1, ch) + fx * Sample(rgb, size, x0 + 1, y0 + 1, ch));
                    chw[ch * plane + y * size + x] = v * (2f / 255f) - 1f;
                }
            }
        }
    }

    private static float Sample(ReadOnlySpan<byte> rgb, int size, int x, int y, int channel) =>
        (uint)x < (uint)size && (uint)y < (uint)size ? rgb[(y * size + x) * 3 + channel] : 255f;
}
