using System.Globalization;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>
/// The frozen CLIP-mini outputs of one data split, computed once (stages 2–4 never train CLIP): per image its unit
/// image embedding [N, D]; per caption its unit text embedding [N, D] and its token states [N, L, T] (the text
/// tower's last hidden state, the decoder's context); and the empty caption's token states [1, L, T] (the decoder's
/// unconditional context). Rows follow the split's manifest order; the file records the row ids' count and the first
/// and last id so a cache built from another manifest is refused. Stored as one safetensors file (token states as F16).
/// </summary>
public sealed class MiniEmbeddingCache
{
    private readonly float[] _imageEmbeddings, _textEmbeddings, _textStates, _nullTextStates;

    public MiniEmbeddingCache(int count, int embeddingDim, int tokens, int textWidth, float[] imageEmbeddings, float[] textEmbeddings,
        float[] textStates, float[] nullTextStates)
    {
        Check(nameof(imageEmbeddings), imageEmbeddings.Length, (long)count * embeddingDim);
        Check(nameof(textEmbeddings), textEmbeddings.Length, (long)count * embeddingDim);
        Check(nameof(textStates), textStates.Length, (long)count * tokens * textWidth);
        Check(nameof(nullTextStates), nullTextStates.Length, (long)tokens * textWidth);
        Count = count;
        EmbeddingDim = embeddingDim;
        Tokens = tokens;
        TextWidth = textWidth;
        _imageEmbeddings = imageEmbeddings;
        _textEmbeddings = textEmbeddings;
        _textStates = textStates;
        _nullTextStates = nullTextStates;

        static void Check(string name, long actual, long expected)
        {
            if (actual != expected)
                throw new ArgumentException($"embedding cache: {name} has {actual} values; expected {expected}.", name);
        }
    }

    public int Count { get; }
    public int EmbeddingDim { get; }
    public int Tokens { get; }
    public int TextWidth { get; }

    /// <summary>Unit image embeddings of <paramref name="indices"/> [B, D].</summary>
    public Tensor ImageEmbeddings(IReadOnlyList<int> indices) => Gather(_imageEmbeddings, indices, [EmbeddingDim]);

    /// <summary>Unit text embeddings of <paramref name="indices"/> [B, D].</summary>
    public Tensor TextEmbeddings(IReadOnlyList<int> indices) => Gather(_textEmbeddings, indices, [EmbeddingDim]);

    /// <summary>Caption token states of <paramref name="indices"/> [B, L, T].</summary>
    public Tensor TextStates(IReadOnlyList<int> indices) => Gather(_textStates, indices, [Tokens, TextWidth]);

    /// <summary>The empty caption's token states [1, L, T].</summary>
    public Tensor NullTextStates() => Tensor.FromArray((float[])_nullTextStates.Clone(), [1, Tokens, TextWidth]);

    /// <summary>Row <paramref name="index"/>'s image embedding (a copy).</summary>
    public float[] ImageEmbedding(int index) => _imageEmbeddings.AsSpan(index * EmbeddingDim, EmbeddingDim).ToArray();

    /// <summary>Row <paramref name="index"/>'s text embedding (a copy).</summary>
    public float[] TextEmbedding(int index) => _textEmbeddings.AsSpan(index * EmbeddingDim, EmbeddingDim).ToArray();

    private Tensor Gather(float[] source, IReadOnlyList<int> indices, int[] rowShape)
    {
        int row = rowShape.Aggregate(1, (a, b) => a * b);
        var data = new float[indices.Count * row];
        for (int i = 0; i < indices.Count; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"embedding cache: row {index} is outside its {Count} rows.");
            source.AsSpan(index * row, row).CopyTo(data.AsSpan(i * row, row));
        }
        return Tensor.FromArray(data, [indices.Count, .. rowShape]);
    }

    /// <summary>
    /// Computes the cache of <paramref name="rowCount"/> rows in chunks of <paramref name="batchSize"/>:
    /// <paramref name="encodeImages"/> maps row indices to unit image embeddings [b, D]; <paramref name="encodeTexts"/>
    /// maps row indices (and −1 for the empty caption) to (token states [b, L, T], unit text embeddings [b, D]).
    /// </summary>
    public static MiniEmbeddingCache Build(int rowCount, int batchSize, Func<int[], Tensor> encodeImages,
        Func<int[], (Tensor States, Tensor Embeddings)> encodeTexts, Action<int>? progress = null)
    {
        float[]? images = null, texts = null, states = null;
        int d = 0, l = 0, t = 0;
        for (int start = 0; start < rowCount; start += batchSize)
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            int[] chunk = Enumerable.Range(start, Math.Min(batchSize, rowCount - start)).ToArray();
            Tensor image = encodeImages(chunk);
            (Tensor state, Tensor text) = encodeTexts(chunk);
            if (images is null)
            {
                d = image.Shape[1];
                l = state.Shape[1];
                t = state.Shape[2];
                images = new float[(long)rowCount * d];
                texts = new float[(long)rowCount * d];
                states = new float[(long)rowCount * l * t];
            }
            image.ToFloatArray().CopyTo(images, (long)start * d);
            text.ToFloatArray().CopyTo(texts!, (long)start * d);
            state.ToFloatArray().CopyTo(states!, (long)start * l * t);
            progress?.Invoke(start + chunk.Length);
        }
        if (images is null) throw new ArgumentException("embedding cache: no rows to encode.", nameof(rowCount));
        float[] nullStates;
        using (TensorScope.Begin())
        using (Autograd.NoGrad())
            nullStates = encodeTexts([-1]).States.ToFloatArray();
        return new MiniEmbeddingCache(rowCount, d, l, t, images, texts!, states!, nullStates);
    }

    /// <summary>Writes the cache, tagged with <paramref name="rowIds"/> (the split's manifest ids).</summary>
    public void Save(string path, IReadOnlyList<string> rowIds)
    {
        if (rowIds.Count != Count)
            throw new ArgumentException($"embedding cache {path}: {rowIds.Count} row ids for {Count} rows.", nameof(rowIds));
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("image_embeds", Tensor.FromArray(_imageEmbeddings, [Count, EmbeddingDim])),
            new("text_embeds", Tensor.FromArray(_textEmbeddings, [Count, EmbeddingDim])),
            new("text_states", Tensor.FromArray(_textStates, [Count, Tokens, TextWidth])),
            new("null_text_states", Tensor.FromArray(_nullTextStates, [1, Tokens, TextWidth])),
        };
        WeightsFile.Write(path, tensors, IdMetadata(rowIds), DType.F32);
    }

    /// <summary>Reads a cache written by <see cref="Save"/> and checks it was built for <paramref name="rowIds"/>.</summary>
    public static MiniEmbeddingCache Load(string path, IReadOnlyList<string> rowIds)
    {
        var (tensors, metadata) = WeightsFile.Read(path);
        foreach (var (key, value) in IdMetadata(rowIds))
            if (!metadata.TryGetValue(key, out string? stored) || stored != value)
                throw new InvalidDataException($"embedding cache {path}: {key} is '{(stored ?? "missing")}', this data split has '{value}'; delete the cache to rebuild it.");
        Tensor Get(string name) => tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"embedding cache {path}: tensor '{name}' is missing.");
        Tensor image = Get("image_embeds"), text = Get("text_embeds"), states = Get("text_states"), nullStates = Get("null_text_states");
        return new MiniEmbeddingCache(image.Shape[0], image.Shape[1], states.Shape[1], states.Shape[2],
            image.ToFloatArray(), text.ToFloatArray(), states.ToFloatArray(), nullStates.ToFloatArray());
    }

    private static Dictionary<string, string> IdMetadata(IReadOnlyList<string> rowIds) => new()
    {
        ["rows"] = rowIds.Count.ToString(CultureInfo.InvariantCulture),
        ["first_id"] = rowIds.Count > 0 ? rowIds[0] : "",
        ["last_id"] = rowIds.Count > 0 ? rowIds[^1] : "",
    };
}
