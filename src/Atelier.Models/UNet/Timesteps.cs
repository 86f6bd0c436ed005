using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Sinusoidal timestep embedding ("time_proj"; diffusers <c>Timesteps</c> / <c>get_timestep_embedding</c>, after the
/// positional encoding of "Attention Is All You Need" §3.5). No weights. With half = dim / 2:
/// freq_i = exp(-ln(10000) · i / (half - freq_shift)), arg = t · freq, emb = [sin(arg), cos(arg)], or
/// [cos(arg), sin(arg)] when <c>flip_sin_to_cos</c> (SD; gotcha G9).
/// </summary>
/// <remarks>
/// Steps are float32 in PyTorch's order. The frequencies are a constant table computed once with a correctly rounded
/// exp (double precision, then rounded), as PyTorch's float32 exp is to within an ulp. That matters: arguments reach
/// ~1000 rad, so one ulp of a frequency (1.2e-7) moves sin(t · freq) by ~1.2e-4, above the reference tolerance; and
/// <c>Ops.Exp</c> is not correctly rounded today (exp(0) = 1 + 1 ulp; 57% of values in [-9.2, 0] are off by an ulp).
/// </remarks>
public sealed class Timesteps : Module
{
    // diffusers get_timestep_embedding(max_period=10000).
    private const double MaxPeriod = 10000;

    private readonly float[] _frequencies;

    public Timesteps(int dim, bool flipSinToCos, int freqShift)
    {
        if (dim < 2 || dim % 2 != 0)
            throw new ArgumentException($"Timesteps: embedding width {dim} must be even and at least 2 (block_out_channels[0]).", nameof(dim));
        Dim = dim;
        FlipSinToCos = flipSinToCos;
        FreqShift = freqShift;
        int half = dim / 2;
        if (half - freqShift == 0)
            throw new ArgumentException($"Timesteps: freq_shift {freqShift} equals half the width {half} (division by zero).", nameof(freqShift));
        // exponent = (-ln(max_period) · arange(half)) / (half - shift), float32 like torch (the scalars rounded to float).
        _frequencies = new float[half];
        float logPeriod = (float)-Math.Log(MaxPeriod);
        for (int i = 0; i < half; i++)
        {
            float exponent = logPeriod * i / (half - freqShift);
            _frequencies[i] = (float)Math.Exp(exponent);
        }
    }

    public int Dim { get; }
    public bool FlipSinToCos { get; }
    public int FreqShift { get; }

    // timesteps [B] (any numeric dtype) -> [B, dim]
    public Tensor Forward(Tensor timesteps)
    {
        if (timesteps.Rank != 1)
            throw new TensorShapeException("time_proj", $"timesteps {timesteps.Shape}", "a 1-D tensor of timesteps [B]");
        using var scope = TensorScope.Begin();
        int b = timesteps.Shape[0], half = Dim / 2;
        Tensor frequencies = Tensor.FromArray(_frequencies, [1, half]);      // [1, half]
        Tensor t = timesteps.Cast(DType.F32).Reshape(b, 1);                   // [B, 1] (.float() of int64 or float64 steps)
        Tensor arg = t.Mul(frequencies);                                      // [B, half]
        Tensor sin = arg.Sin(), cos = arg.Cos();
        Tensor emb = FlipSinToCos ? Ops.Concat([cos, sin], 1) : Ops.Concat([sin, cos], 1); // [B, dim]
        return scope.Keep(emb);
    }
}
