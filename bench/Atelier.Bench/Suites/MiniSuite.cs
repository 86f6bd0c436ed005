using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// atelier-mini (the default model) at its shipped sizes with random weights: inference of each stage with the
/// default sampling settings (prior 16 DDIM steps with guidance → batch 2; decoder 20 DPM-Solver++ steps with
/// guidance → batch 2; one upsampler pass), their sum as the time of one 64x64 image without the CLIP text encoder,
/// and one training step's forward + backward of each stage at its training batch (the optimizer step is not
/// included). FLOPs count convolutions and matrix products (2 per multiply-add).
/// </summary>
internal sealed class MiniSuite : IBenchSuite
{
    /// <summary>Caption tokens the decoder attends to (CLIP-mini's context length).</summary>
    private const int TextTokens = 32;

    public string Name => "mini";

    public string Description => "atelier-mini prior/decoder/upsampler: one 64x64 image (default steps) and one training step per stage, random weights";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        var prior = RandomModelWeights.Initialize(new MiniPrior(new MiniPriorConfig()), seed: 1);
        var decoder = RandomModelWeights.Initialize(new MiniDecoder(new MiniDecoderConfig()), seed: 2);
        var upsampler = RandomModelWeights.Initialize(new MiniUpsampler(new MiniUpsamplerConfig()), seed: 3);
        var schedule = new MiniNoiseSchedule();
        int d = prior.Config.EmbeddingDim, t = decoder.Config.TextWidth;
        var g = new TorchGenerator(4);
        Tensor text = MiniPriorSampling.Normalize(Tensor.FromArray(g.Randn(1, d), [1, d]));
        Tensor states = Tensor.FromArray(g.Randn(1, TextTokens, t), [1, TextTokens, t]);
        Tensor nullStates = Tensor.FromArray(g.Randn(1, TextTokens, t), [1, TextTokens, t]);

        double priorFlops = 2.0 * prior.ForwardFlopsPerSample() * MiniPriorSampling.DefaultSteps;
        double priorSeconds = Timing.Best(() => Scoped(() => MiniPriorSampling.Sample(prior, schedule, text, new TorchGenerator(5),
            MiniPriorSampling.DefaultSteps, MiniPriorSampling.DefaultGuidance)), options.Quick);
        yield return new BenchRow("mini prior sample", $"{MiniPriorSampling.DefaultSteps} DDIM steps, CFG", priorFlops, priorSeconds);

        Tensor embedding = text;
        double decoderFlops = 2.0 * decoder.ForwardFlopsPerSample(TextTokens) * MiniDecoderSampling.DefaultSteps;
        double decoderSeconds = Timing.Best(() => Scoped(() => MiniDecoderSampling.Sample(decoder, schedule, embedding, states, nullStates,
            new TorchGenerator(6), MiniDecoderSampling.DefaultSteps, MiniDecoderSampling.DefaultGuidance)), options.Quick);
        yield return new BenchRow("mini decoder sample", $"32x32, {MiniDecoderSampling.DefaultSteps} DPM++ steps, CFG", decoderFlops, decoderSeconds);

        Tensor low = Tensor.FromArray(g.Randn(1, 3, 32, 32), [1, 3, 32, 32]);
        double upFlops = upsampler.ForwardFlopsPerSample();
        double upSeconds = Timing.Best(() => Scoped(() => upsampler.Forward(low)), options.Quick);
        yield return new BenchRow("mini upsampler", "32 -> 64", upFlops, upSeconds);
        yield return new BenchRow("mini image (no CLIP text)", "prior + decoder + upsampler", priorFlops + decoderFlops + upFlops,
            priorSeconds + decoderSeconds + upSeconds, "sum of the rows above");

        // The shipped model end to end (CLIP text encoder included), when run from the repository root.
        string shipped = Path.Combine("models", "atelier-mini");
        if (new[] { "clip", "prior", "decoder", "upsampler" }.All(n => File.Exists(Path.Combine(shipped, n + ".safetensors"))))
        {
            var pipeline = MiniPipeline.Load(shipped);
            double seconds = Timing.Best(() => pipeline.Generate("red apple, twemoji style", new MiniGenerateOptions { Seed = 1 }), options.Quick);
            yield return new BenchRow("mini generate (shipped)", "prompt → 64x64 RGB, default steps", 0, seconds, "MiniPipeline.Generate, CLIP text included; target ≤ 1 s");
        }

        // Training steps: forward + backward at the stages' training batches.
        foreach (var p in prior.Parameters().Concat(decoder.Parameters()).Concat(upsampler.Parameters())) p.Value.RequiresGrad = true;
        const int priorBatch = 256, decoderBatch = 32, upBatch = 32;
        Tensor priorX = Tensor.FromArray(g.Randn(priorBatch, d), [priorBatch, d]);
        float[] priorT = Enumerable.Range(0, priorBatch).Select(i => (float)(i * 997 % 1000)).ToArray();
        yield return Train("mini prior train step", $"B={priorBatch}", 3.0 * priorBatch * prior.ForwardFlopsPerSample(),
            () => prior.Forward(priorX, priorT, priorX), options.Quick);

        Tensor decoderX = Tensor.FromArray(g.Randn(decoderBatch, 3, 32, 32), [decoderBatch, 3, 32, 32]);
        float[] decoderT = Enumerable.Range(0, decoderBatch).Select(i => (float)(i * 31 % 1000)).ToArray();
        Tensor decoderE = Tensor.FromArray(g.Randn(decoderBatch, d), [decoderBatch, d]);
        Tensor decoderS = Tensor.FromArray(g.Randn(decoderBatch, TextTokens, t), [decoderBatch, TextTokens, t]);
        yield return Train("mini decoder train step", $"B={decoderBatch}", 3.0 * decoderBatch * decoder.ForwardFlopsPerSample(TextTokens),
            () => decoder.Forward(decoderX, decoderT, decoderE, decoderS), options.Quick);

        Tensor upX = Tensor.FromArray(g.Randn(upBatch, 3, 32, 32), [upBatch, 3, 32, 32]);
        yield return Train("mini upsampler train step", $"B={upBatch}", 3.0 * upBatch * upsampler.ForwardFlopsPerSample(),
            () => upsampler.Forward(upX), options.Quick);
    }

    private static BenchRow Train(string kernel, string shape, double flops, Func<Tensor> forward, bool quick)
    {
        double seconds = Timing.Best(() =>
        {
            using var scope = TensorScope.Begin();
            forward().Square().Mean().Backward();
        }, quick);
        return new BenchRow(kernel, shape, flops, seconds, "forward + backward (≈ 3× forward FLOPs), no optimizer");
    }

    private static void Scoped(Func<Tensor> run)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        run();
    }
}
