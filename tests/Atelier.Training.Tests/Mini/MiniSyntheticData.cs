using Atelier.Training.Mini;
using Atelier.Training.Pipeline;

namespace Atelier.Training.Tests.Mini;

/// <summary>Two flat synthetic pictures with orthogonal embeddings, for learning tests of the atelier-mini stages.</summary>
internal static class MiniSyntheticData
{
    /// <summary>
    /// Image 0: a red square on white; image 1: a blue bar at the top over a yellow ground; rows alternate 0, 1, 0, 1 …
    /// (<paramref name="copies"/> of each). Image embeddings are the unit vectors e₀, e₁; text embeddings e₂, e₃;
    /// token states distinct constants per image; the empty caption's states are zero.
    /// </summary>
    public static (DecodedImageSet Images, MiniEmbeddingCache Cache) TwoImages(int size, int dim, int tokens, int textWidth, int copies)
    {
        byte[] square = new byte[size * size * 3], bar = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int p = (y * size + x) * 3;
                bool inside = x >= size / 4 && x < 3 * size / 4 && y >= size / 4 && y < 3 * size / 4;
                (square[p], square[p + 1], square[p + 2]) = inside ? ((byte)220, (byte)30, (byte)30) : ((byte)255, (byte)255, (byte)255);
                (bar[p], bar[p + 1], bar[p + 2]) = y < size / 2 ? ((byte)20, (byte)40, (byte)200) : ((byte)240, (byte)220, (byte)40);
            }
        int count = 2 * copies;
        var pictures = new List<byte[]>();
        var image = new float[count * dim];
        var text = new float[count * dim];
        var states = new float[count * tokens * textWidth];
        for (int i = 0; i < count; i++)
        {
            int kind = i % 2;
            pictures.Add(kind == 0 ? square : bar);
            image[i * dim + kind] = 1f;
            text[i * dim + 2 + kind] = 1f;
            states.AsSpan(i * tokens * textWidth, tokens * textWidth).Fill(kind == 0 ? 0.5f : -0.5f);
        }
        var cache = new MiniEmbeddingCache(count, dim, tokens, textWidth, image, text, states, new float[tokens * textWidth]);
        return (DecodedImageSet.FromRgb(pictures, size), cache);
    }
}
