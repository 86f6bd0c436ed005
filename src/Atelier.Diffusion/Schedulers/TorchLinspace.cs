namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// <c>torch.linspace(start, end, steps, dtype=torch.float32)</c> on CPU, bit for bit. Every diffusers beta schedule
/// starts here, and a plain <c>start + i * step</c> differs from it in the last bit for about a third of the values
/// (gotcha G22). PyTorch's kernel (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp) counts the first half up from
/// <c>start</c> and the second half down from <c>end</c>; its vectorised loop fills whole vectors as
/// <c>base + k * step</c> from one base per vector, two vectors per iteration, and only the tail is element by
/// element. The AVX2 build compiles all of these multiply-adds into fused multiply-adds (GCC's default fp-contract).
/// Checked against <c>base_schedule.safetensors</c>: only this combination (8-float vectors, fused) reproduces all
/// 1000 betas; plain arithmetic or 16-float vectors do not.
/// </summary>
internal static class TorchLinspace
{
    /// <summary>Floats per vector of the AVX2 PyTorch build that made the reference fixtures.</summary>
    public const int VectorWidth = 8;

    public static float[] Float32(double start, double end, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var y = new float[steps];
        float s = (float)start;
        float e = (float)end;
        if (steps == 0)
            return y;
        if (steps == 1)
        {
            y[0] = s; // linspace_out fills a single value with start
            return y;
        }

        float step = (e - s) / (steps - 1);
        int halfway = steps / 2;
        int i = 0;
        for (; i <= steps - 2 * VectorWidth; i += VectorWidth)
        {
            float vectorBase = Value(i);
            y[i] = vectorBase;
            for (int k = 1; k < VectorWidth; k++)
                y[i + k] = MathF.FusedMultiplyAdd(k, step, vectorBase);
        }
        for (; i < steps; i++)
            y[i] = Value(i);
        return y;

        float Value(int idx) => idx < halfway
            ? MathF.FusedMultiplyAdd(step, idx, s)
            : MathF.FusedMultiplyAdd(-step, steps - idx - 1, e);
    }
}
