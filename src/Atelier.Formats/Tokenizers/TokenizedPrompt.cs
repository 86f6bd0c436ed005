namespace Atelier.Formats.Tokenizers;

/// <summary>
/// A prompt ready for the CLIP text encoder, as the SD pipelines call the tokenizer
/// (<c>padding="max_length", max_length=77, truncation=True</c>).
/// </summary>
/// <param name="InputIds">[maxLength]: bos, the first maxLength-2 tokens, eos, then the pad id. A fresh array.</param>
/// <param name="AttentionMask">[maxLength]: 1 for bos, tokens and eos, 0 for padding. SD pipelines do not pass it to the encoder.</param>
/// <param name="UntruncatedLength">bos + every token + eos, before truncation.</param>
/// <param name="Truncated">True when <see cref="UntruncatedLength"/> exceeded maxLength and tokens were dropped.</param>
/// <param name="DroppedTokenIds">The token ids cut off by truncation (empty when not truncated).</param>
/// <param name="DroppedText">
/// The lowercased, cleaned text the model will not see, for a warning: it starts at the beginning of the first word
/// that lost any token, so a word split by the cut is named in full. Empty when not truncated.
/// </param>
public sealed record TokenizedPrompt(
    int[] InputIds,
    int[] AttentionMask,
    int UntruncatedLength,
    bool Truncated,
    IReadOnlyList<int> DroppedTokenIds,
    string DroppedText);
