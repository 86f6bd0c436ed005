using Atelier.Models.Mini;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>
/// Stage 4 of atelier-mini: the 32→64 regression upsampler. Each step: a batch of 64x64 images (targets), their 2x2
/// box averages (<see cref="LowResolution.Downsample"/>, the decoder's training images) corrupted by blur and noise
/// (<see cref="LowResolution.Degrade"/>), the model's enlargement, and the L1 loss against the target (L1 keeps
/// the clip-art's hard edges sharper than L2; ESPCN trains with L2, later SR work with L1). At every checkpoint the
/// EMA weights are evaluated on held-out images against the nearest-neighbour enlargement (PSNR, dB). At the end the
/// EMA weights are exported as <c>upsampler.safetensors</c> + <c>upsampler.json</c> in the run folder.
/// </summary>
public static class UpsamplerTraining
{
    public const string WeightsFileName = "upsampler.safetensors";
    public const string ConfigFileName = "upsampler.json";

    /// <summary>Held-out images used by the checkpoint evaluation.</summary>
    public const int EvaluationImages = 256;

    public static TrainingRunResult Run(MiniUpsamplerConfig config, MiniDataSplit train, MiniDataSplit heldOut, MiniStageOptions options,
        ITrainingProgress? progress)
    {
        var model = new MiniUpsampler(config);
        model.InitializeWeights(new TorchGenerator(options.Seed));
        var (run, ema) = MiniStageRun.Create(model, train.Count, options, "atelier-mini-upsampler", config.ToJson(), progress);

        var evalModel = new MiniUpsampler(config);
        evalModel.InitializeWeights(new TorchGenerator(options.Seed));         // overwritten by the EMA weights before use
        var evalParameters = new TrainableParameters(evalModel);
        int[] evalIndices = Enumerable.Range(0, Math.Min(EvaluationImages, heldOut.Count)).ToArray();
        TrainingRunResult result = run.Run(
            step => Loss(model, train.Images.Batch(step.Batch), step.Generator),
            _ =>
            {
                evalParameters.Load(ema.Weights(), "upsampler EMA");
                return Evaluate(evalModel, heldOut, evalIndices);
            });

        evalParameters.Load(ema.Weights(), "upsampler EMA");
        Export(evalModel, options.OutputDirectory, DType.F32);
        return result;
    }

    /// <summary>L1 between the enlargement of the degraded low-resolution images and the 64x64 targets [B, 3, 64, 64].</summary>
    public static Tensor Loss(MiniUpsampler model, Tensor targets, TorchGenerator generator)
    {
        Tensor lowRes = LowResolution.Degrade(LowResolution.Downsample(targets), generator);    // [B, 3, 32, 32]
        Tensor output = model.Forward(lowRes);                                                   // [B, 3, 64, 64]
        return output.Sub(targets).Abs().Mean();
    }

    /// <summary>PSNR (dB, images in [0, 1]) of the model and of nearest-neighbour enlargement on clean low-resolution inputs.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(MiniUpsampler model, MiniDataSplit heldOut, int[] indices)
    {
        double modelError = 0, nearestError = 0;
        long count = 0;
        for (int start = 0; start < indices.Length; start += 32)
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            int[] chunk = indices[start..Math.Min(indices.Length, start + 32)];
            Tensor targets = heldOut.Images.Batch(chunk);                                        // [b, 3, 64, 64]
            Tensor lowRes = LowResolution.Downsample(targets);                                   // [b, 3, 32, 32]
            float[] t = targets.ToFloatArray();
            float[] y = model.Forward(lowRes).Clamp(-1f, 1f).ToFloatArray();
            float[] n = lowRes.UpsampleNearest(2).ToFloatArray();
            for (int i = 0; i < t.Length; i++)
            {
                double dy = (y[i] - t[i]) * 0.5, dn = (n[i] - t[i]) * 0.5;
                modelError += dy * dy;
                nearestError += dn * dn;
            }
            count += t.Length;
        }
        return new Dictionary<string, double>
        {
            ["psnr_db"] = -10 * Math.Log10(modelError / count),
            ["nearest_psnr_db"] = -10 * Math.Log10(nearestError / count),
        };
    }

    /// <summary>Writes the model's weights and config as <see cref="WeightsFileName"/> / <see cref="ConfigFileName"/> in <paramref name="folder"/>.</summary>
    public static void Export(MiniUpsampler model, string folder, DType floatType) =>
        MiniWeights.Export(model, folder, WeightsFileName, ConfigFileName, model.Config.ToJson(), "atelier-mini-upsampler", floatType);
}
