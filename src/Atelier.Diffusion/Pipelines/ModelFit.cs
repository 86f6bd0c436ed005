using System.Globalization;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Tokenizers;

namespace Atelier.Diffusion.Pipelines;

/// <summary>Where each part of a model came from (a file, folder or description), for messages.</summary>
public sealed record ModelPartOrigins(string Tokenizer, string TextEncoder, string UNet, string Vae);

/// <summary>
/// Checks that a tokenizer, text encoder, UNet and VAE make one Stable Diffusion model: the UNet cross-attends to
/// text states as wide as the text encoder's, predicts latents with as many channels as the VAE decodes, takes
/// either those latents (text-to-image) or latents + mask + masked-image latents (inpainting, 2L + 1 channels,
/// gotcha G17), and the tokenizer's ids fit the text encoder's tables. Every mismatch is reported at once.
/// </summary>
public static class ModelFit
{
    /// <summary>The mismatches, one line each naming both sides and what to change; empty when the parts fit.</summary>
    public static IReadOnlyList<string> Problems(ClipTokenizer tokenizer, ClipTextConfig text, UNet2DConditionConfig unet,
        AutoencoderKLConfig vae, ModelPartOrigins origins)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(origins);
        var problems = new List<string>();
        int latent = vae.LatentChannels;

        int[] crossDims = unet.CrossAttentionDim.PerBlock(unet.BlockOutChannels.Count, "cross_attention_dim");
        foreach (int dim in crossDims.Distinct())
        {
            if (dim != text.HiddenSize)
                problems.Add(Invariant($"UNet cross_attention_dim {dim} ({origins.UNet}) differs from the text encoder's hidden_size {text.HiddenSize} ({origins.TextEncoder}): the UNet attends to text states {dim} wide. Use the text encoder the UNet was trained with (768: SD 1.x CLIP ViT-L/14; 1024: SD 2.x OpenCLIP ViT-H/14)."));
        }
        if (unet.OutChannels != latent)
            problems.Add(Invariant($"UNet out_channels {unet.OutChannels} ({origins.UNet}) differs from the VAE's latent_channels {latent} ({origins.Vae}): the UNet predicts {unet.OutChannels}-channel latents, the VAE decodes {latent}-channel ones. Use the VAE the UNet was trained with."));
        if (unet.InChannels != latent && unet.InChannels != 2 * latent + 1)
            problems.Add(Invariant($"UNet in_channels {unet.InChannels} ({origins.UNet}) fits no use of the VAE's latent_channels {latent} ({origins.Vae}): expected {latent} (text-to-image) or {2 * latent + 1} (inpainting: {latent} latent + 1 mask + {latent} masked-image channels). Use the VAE the UNet was trained with."));
        if (tokenizer.MaxLength > text.MaxPositionEmbeddings)
            problems.Add(Invariant($"the tokenizer makes sequences of {tokenizer.MaxLength} tokens (model_max_length, {origins.Tokenizer}) but the text encoder has {text.MaxPositionEmbeddings} positions (max_position_embeddings, {origins.TextEncoder}). Use the tokenizer of the same model."));
        if (tokenizer.VocabularySize > text.VocabSize)
            problems.Add(Invariant($"the tokenizer has {tokenizer.VocabularySize} tokens ({origins.Tokenizer}) but the text encoder's embedding table has vocab_size {text.VocabSize} rows ({origins.TextEncoder}): ids from {text.VocabSize} up would index past it. Use the tokenizer of the same model."));
        return problems;
    }

    /// <summary>Throws a <see cref="ModelFitException"/> listing every mismatch.</summary>
    public static void Check(string model, ClipTokenizer tokenizer, ClipTextConfig text, UNet2DConditionConfig unet,
        AutoencoderKLConfig vae, ModelPartOrigins origins)
    {
        var problems = Problems(tokenizer, text, unet, vae, origins);
        if (problems.Count > 0)
            throw new ModelFitException(model, problems);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
