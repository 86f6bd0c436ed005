using System.Globalization;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>The text conditioning of one run.</summary>
/// <param name="Embeddings">[2·B·n, N, D] = [negative…, prompt…] with classifier-free guidance, else [B·n, N, D] (B prompts, n images each).</param>
/// <param name="Warnings">One line per prompt the tokenizer truncated, naming the text the model will not see.</param>
public sealed record PromptEmbeddings(Tensor Embeddings, IReadOnlyList<string> Warnings);

/// <summary>
/// diffusers' <c>StableDiffusionPipeline.encode_prompt</c> (0.30.3): each prompt is tokenized to 77 ids
/// (bos, tokens, eos, padding; no attention mask, gotcha G4) and encoded; each embedding is repeated for the images
/// of that prompt (p0, p0, p1, p1, …); with guidance the negative prompts ("" when none) are encoded the same way and
/// put first. Clip skip applies to the prompts only: diffusers encodes negative prompts with the full text encoder
/// whatever clip_skip says (AUTOMATIC1111 applies it to both), and Atelier reproduces diffusers.
/// </summary>
public static class PromptEncoder
{
    /// <param name="prompts">B prompts.</param>
    /// <param name="negativePrompts">Null (empty negatives), one for all prompts, or one per prompt.</param>
    /// <param name="clipSkip">Final text-encoder layers skipped (diffusers' clip_skip; AUTOMATIC1111's "Clip skip N" is N - 1).</param>
    public static PromptEmbeddings Encode(StableDiffusionModel model, IReadOnlyList<string> prompts, IReadOnlyList<string>? negativePrompts,
        int imagesPerPrompt, bool guidance, int clipSkip)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
            throw new ArgumentException("encode_prompt: no prompt given.", nameof(prompts));
        if (imagesPerPrompt < 1)
            throw new ArgumentOutOfRangeException(nameof(imagesPerPrompt), imagesPerPrompt, "encode_prompt: images per prompt must be at least 1.");
        int layers = model.TextEncoder.Config.NumHiddenLayers;
        if (clipSkip < 0 || clipSkip > layers)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), clipSkip, $"encode_prompt: clip skip must be in [0, {layers}] for a {layers}-layer text encoder (0 = all layers run).");
        IReadOnlyList<string> negatives = negativePrompts switch
        {
            null or [] => Enumerable.Repeat("", prompts.Count).ToArray(),
            [var one] => Enumerable.Repeat(one, prompts.Count).ToArray(),
            _ when negativePrompts.Count == prompts.Count => negativePrompts,
            _ => throw new ArgumentException($"encode_prompt: {negativePrompts.Count} negative prompts for {prompts.Count} prompts; give none, one, or one per prompt.", nameof(negativePrompts)),
        };

        using var scope = TensorScope.Begin();
        var warnings = new List<string>();
        Tensor embeddings = Repeat(EncodeBatch(model, prompts, clipSkip, warnings, "prompt"), imagesPerPrompt);   // [B·n, N, D]
        if (guidance)
        {
            Tensor negative = Repeat(EncodeBatch(model, negatives, 0, warnings, "negative prompt"), imagesPerPrompt); // [B·n, N, D]
            embeddings = Ops.Concat([negative, embeddings], 0);                                                    // [2·B·n, N, D]
        }
        return new PromptEmbeddings(scope.Keep(embeddings), warnings);
    }

    // B prompts -> [B, N, D]
    private static Tensor EncodeBatch(StableDiffusionModel model, IReadOnlyList<string> prompts, int clipSkip, List<string> warnings, string what)
    {
        int length = model.Tokenizer.MaxLength;
        var ids = new long[prompts.Count * length];
        for (int b = 0; b < prompts.Count; b++)
        {
            var tokenized = model.Tokenizer.EncodeForModel(prompts[b], length);
            if (tokenized.Truncated)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"The {what} was truncated: CLIP reads at most {length - 2} tokens ({tokenized.UntruncatedLength - 2} given); the model will not see \"{tokenized.DroppedText}\"."));
            }
            for (int j = 0; j < length; j++)
                ids[b * length + j] = tokenized.InputIds[j];
        }
        Tensor inputIds = Tensor.FromArray(ids, [prompts.Count, length]);   // [B, N] int64, as the tokenizer returns
        return model.TextEncoder.EncodePrompt(inputIds, clipSkip);          // [B, N, D]
    }

    // [B, N, D] -> [B·n, N, D] with row b repeated n times in place (torch's repeat(1, n, 1).view(B·n, N, D)).
    private static Tensor Repeat(Tensor x, int n)
    {
        if (n == 1)
            return x;
        var rows = new List<Tensor>(x.Shape[0] * n);
        for (int b = 0; b < x.Shape[0]; b++)
            for (int i = 0; i < n; i++)
                rows.Add(x.Narrow(0, b, 1));
        return Ops.Concat(rows, 0);
    }
}
