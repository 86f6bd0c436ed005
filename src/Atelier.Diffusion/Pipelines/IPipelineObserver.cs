using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// Sees what a pipeline computes, in order, under the names of the reference fixtures (tests compare them tensor by
/// tensor; tools can log them). Tensors are valid only during the call: copy what you keep. Every method does nothing
/// by default.
/// </summary>
public interface IPipelineObserver
{
    /// <summary>The text conditioning, [uncond…, cond…] with guidance (<c>prompt_embeds</c>).</summary>
    void PromptEmbeddings(Tensor embeddings) { }

    /// <summary>The latents the loop starts from, after scaling by the scheduler's init sigma or noising to the first timestep.</summary>
    void InitialLatents(Tensor latents) { }

    /// <summary>UNet call <paramref name="index"/>: its exact input (CFG doubling, input scaling, inpainting channels), timestep and raw output.</summary>
    void UNetCall(int index, Tensor sample, double timestep, Tensor noisePrediction) { }

    /// <summary>The latents after step <paramref name="index"/> (after any inpainting blend).</summary>
    void LatentsAfterStep(int index, Tensor latents) { }

    /// <summary>The latents at the end of the loop (<c>final_latents</c>).</summary>
    void FinalLatents(Tensor latents) { }

    /// <summary>What the VAE decodes: latents / scaling_factor (<c>vae_decode_input</c>).</summary>
    void DecodeInput(Tensor latents) { }
}
