using Atelier.Tensors;

namespace Atelier.Training.Pipeline;

/// <summary>
/// A random transformation applied to each training image as its batch is built (<see cref="DecodedImageSet.Batch"/>).
/// It must draw from <paramref name="generator"/> only (the run's checkpointed generator), so a resumed run sees the
/// same augmented images.
/// </summary>
public interface IImageAugmentation
{
    /// <summary>
    /// Writes the transformed image as planar floats in [-1, 1] (<c>[3, size, size]</c>) into <paramref name="chw"/>.
    /// </summary>
    /// <param name="rgb">The decoded image: <c>size × size × 3</c> bytes, row-major, interleaved RGB.</param>
    void Apply(ReadOnlySpan<byte> rgb, int size, Span<float> chw, TorchGenerator generator);
}
