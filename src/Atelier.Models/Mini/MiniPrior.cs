using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// atelier-mini's prior: a diffusion model over CLIP image embeddings conditioned on the CLIP text embedding, that
/// predicts the clean (scaled) image embedding directly — unCLIP's diffusion prior (Ramesh et al. 2022 §2.2: "we
/// train a decoder-only Transformer … to predict the unnoised z_i directly"), with a residual MLP instead of the
/// Transformer (one 256-d vector in, one out: attention over a handful of tokens buys little at this size; see the
/// design note). Conditioning: the scaled text embedding is concatenated to the noisy embedding at the input and,
/// with the timestep, forms the vector every block adds. Unconditional (classifier-free guidance): a zero text embedding.
/// </summary>
/// <remarks>Legend: B batch, D embedding dim, W width.</remarks>
public sealed class MiniPrior : Module
{
    public MiniPrior(MiniPriorConfig config)
    {
        Config = config.Validate();
        int d = config.EmbeddingDim, w = config.Width;
        InProj = Add("in_proj", new Linear(2 * d, w));
        TimeEmbedding = Add("time_embedding", new MiniTimestepEmbedding(w, w));
        TextProj = Add("text_proj", new Linear(d, w));
        Blocks = Add("blocks", new ModuleList<MiniPriorBlock>(Enumerable.Range(0, config.Layers).Select(_ => new MiniPriorBlock(w, config.MlpRatio * w))));
        NormOut = Add("norm_out", new LayerNorm(w));
        OutProj = Add("out_proj", new Linear(w, d));
    }

    public MiniPriorConfig Config { get; }
    public Linear InProj { get; }
    public MiniTimestepEmbedding TimeEmbedding { get; }
    public Linear TextProj { get; }
    public ModuleList<MiniPriorBlock> Blocks { get; }
    public LayerNorm NormOut { get; }
    public Linear OutProj { get; }

    /// <summary>
    /// Fresh training weights: PyTorch's default initialisation of every layer (<see cref="Init.Default"/>), then the
    /// last layer of every residual branch set to zero (GLIDE <c>zero_module</c>), so every residual
    /// block starts as the identity. Call outside any <see cref="TensorScope"/>.
    /// </summary>
    public void InitializeWeights(TorchGenerator generator)
    {
        Init.Default(this, generator);
        foreach (var parameter in ZeroInitialized)
            Init.Constant(parameter, 0f);
    }

    public IEnumerable<Parameter> ZeroInitialized => Blocks.SelectMany(b => b.ZeroInitialized);

    /// <summary>x̂₀, the predicted scaled image embedding [B, D].</summary>
    /// <param name="sample">z_t, the noisy scaled image embedding [B, D].</param>
    /// <param name="timesteps">t per sample (0 … 999).</param>
    /// <param name="textEmbedding">the scaled (× <see cref="MiniPriorConfig.EmbeddingScale"/>) CLIP text embedding [B, D]; zeros: unconditional.</param>
    public Tensor Forward(Tensor sample, ReadOnlySpan<float> timesteps, Tensor textEmbedding)
    {
        int d = Config.EmbeddingDim;
        if (sample.Rank != 2 || sample.Shape[1] != d || sample.Shape[0] != timesteps.Length || textEmbedding.Shape != sample.Shape)
            throw new TensorShapeException("mini prior", $"sample {sample.Shape}, {timesteps.Length} timesteps, text embedding {textEmbedding.Shape}",
                $"sample and text embedding [B, {d}] with one timestep per sample");
        Tensor cond = TimeEmbedding.Forward(SinusoidalEmbedding.Embed(timesteps, Config.Width))
            .Add(TextProj.Forward(textEmbedding)).Silu();                                        // [B, W]
        Tensor h = InProj.Forward(Ops.Concat([sample, textEmbedding], 1));                       // [B, W]
        foreach (var block in Blocks)
            h = block.Forward(h, cond);                                                          // [B, W]
        return OutProj.Forward(NormOut.Forward(h));                                              // [B, D]
    }

    /// <summary>Multiply-adds × 2 of one forward pass for one sample.</summary>
    public long ForwardFlopsPerSample()
    {
        long d = Config.EmbeddingDim, w = Config.Width, hidden = Config.MlpRatio * w;
        return 2 * (2 * d * w + 2 * w * w + d * w + Config.Layers * (3 * w * hidden) + w * d);
    }
}
