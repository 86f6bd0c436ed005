using Atelier.Formats.Tokenizers;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Captions as text-tower input: ids [B, T] (bos, tokens, eos, pad) with T the longest caption of the batch (at most
/// the context length; longer captions are truncated before their eos) and the index of each caption's eos.
/// </summary>
public sealed class MiniClipTokenBatch
{
    private MiniClipTokenBatch(Tensor inputIds, int[] eosPositions, int truncated)
    {
        InputIds = inputIds;
        EosPositions = eosPositions;
        TruncatedCount = truncated;
    }

    /// <summary>[B, T] I64.</summary>
    public Tensor InputIds { get; }

    public IReadOnlyList<int> EosPositions { get; }

    /// <summary>Captions that did not fit the context length.</summary>
    public int TruncatedCount { get; }

    public int Count => InputIds.Shape[0];

    public int Length => InputIds.Shape[1];

    public static MiniClipTokenBatch Create(ClipTokenizer tokenizer, IReadOnlyList<string> captions, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(captions);
        if (captions.Count == 0) throw new ArgumentException("CLIP-mini tokens: no captions.", nameof(captions));
        var encoded = new TokenizedPrompt[captions.Count];
        int longest = 0, truncated = 0;
        for (int i = 0; i < captions.Count; i++)
        {
            encoded[i] = tokenizer.EncodeForModel(captions[i], contextLength);
            int length = Math.Min(encoded[i].UntruncatedLength, contextLength);
            longest = Math.Max(longest, length);
            if (encoded[i].Truncated) truncated++;
        }
        var ids = new long[captions.Count * longest];
        var eos = new int[captions.Count];
        for (int i = 0; i < captions.Count; i++)
        {
            for (int j = 0; j < longest; j++) ids[i * longest + j] = encoded[i].InputIds[j];
            eos[i] = Math.Min(encoded[i].UntruncatedLength, contextLength) - 1;
        }
        return new MiniClipTokenBatch(Tensor.FromArray(ids, [captions.Count, longest]), eos, truncated);
    }
}
