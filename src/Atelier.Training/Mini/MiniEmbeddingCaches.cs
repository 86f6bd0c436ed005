using Atelier.Models.Mini;

namespace Atelier.Training.Mini;

/// <summary>Where the embedding caches of the two splits live, and how they are computed from CLIP-mini.</summary>
public static class MiniEmbeddingCaches
{
    /// <summary><c>&lt;folder&gt;/&lt;split&gt;.safetensors</c>.</summary>
    public static string PathFor(string folder, string split) => Path.Combine(folder, split + ".safetensors");

    /// <summary>Encodes every image and manifest caption of <paramref name="split"/> (and the empty caption) with <paramref name="clip"/>.</summary>
    public static MiniEmbeddingCache Build(IMiniClipEncoder clip, MiniDataSplit split, Action<int>? progress = null) =>
        MiniEmbeddingCache.Build(split.Count, 128,
            rows => clip.EncodeImages(split.Images.Batch(rows)),
            rows => clip.EncodeText(rows.Select(r => r < 0 ? "" : split.Rows[r].Caption).ToArray()),
            progress);

    /// <summary>Loads the cache of <paramref name="split"/> from <paramref name="folder"/>, checked against the split's rows.</summary>
    public static MiniEmbeddingCache Load(string folder, MiniDataSplit split, string splitName)
    {
        string path = PathFor(folder, splitName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"embedding cache {path} is missing: run `atelier train embeddings --clip models/atelier-mini --data …` first.", path);
        return MiniEmbeddingCache.Load(path, split.Rows.Select(r => r.Id).ToArray());
    }
}
