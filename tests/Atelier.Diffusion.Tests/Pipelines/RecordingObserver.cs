using Atelier.Diffusion.Pipelines;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>Copies every tensor a pipeline shows, under the fixture's names (<c>unet_call2_sample</c>, <c>latents_after_step0</c>, …).</summary>
internal sealed class RecordingObserver : IPipelineObserver
{
    public Dictionary<string, (Shape Shape, float[] Values)> Tensors { get; } = new(StringComparer.Ordinal);

    public List<double> Timesteps { get; } = [];

    public int UNetCalls { get; private set; }

    public void PromptEmbeddings(Tensor embeddings) => Record("prompt_embeds", embeddings);

    public void InitialLatents(Tensor latents) => Record("initial_latents", latents);

    public void UNetCall(int index, Tensor sample, double timestep, Tensor noisePrediction)
    {
        Assert.Equal(UNetCalls, index);
        UNetCalls++;
        Timesteps.Add(timestep);
        Record($"unet_call{index}_sample", sample);
        Record($"unet_call{index}_noise_pred", noisePrediction);
    }

    public void LatentsAfterStep(int index, Tensor latents) => Record($"latents_after_step{index}", latents);

    public void FinalLatents(Tensor latents) => Record("final_latents", latents);

    public void DecodeInput(Tensor latents) => Record("vae_decode_input", latents);

    private void Record(string name, Tensor tensor)
    {
        Assert.False(Tensors.ContainsKey(name), $"the pipeline showed {name} twice");
        Tensors[name] = (tensor.Shape, tensor.ToFloatArray());
    }
}
