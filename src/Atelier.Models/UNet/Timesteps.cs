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
/// The arithmetic steps are float32 in PyTorch's order; exp, sin and cos are evaluated in double precision and
/// rounded, i.e. correctly rounded, which PyTorch's float32 versions are to within an ulp. That matters: arguments
/// reach ~1000 rad, so one ulp of a frequency (1.2e-7) moves sin(t · freq) by ~1.2e-4, above the reference tolerance.
/// It is also why this does not use <c>Ops.Exp</c>/<c>Ops.Sin</c>/<c>Ops.Cos</c> today: <c>Ops.Exp(0)</c> returns
/// 1 + 1 ulp, enough to miss diffusers by 1.2e-4 at t = 999. The table is B x dim values, so this costs nothing.
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
        float[] t = timesteps.Cast(DType.F32).ToFloatArray();               // [B] (.float() of int64 or float64 steps)
        int b = t.Length, half = Dim / 2;
        int sinAt = FlipSinToCos ? half : 0, cosAt = FlipSinToCos ? 0 : half;
        float[] emb = new float[b * Dim];                                     // [B, dim]
        for (int n = 0; n < b; n++)
        {
            for (int i = 0; i < half; i++)
            {
                float arg = t[n] * _frequencies[i];
                emb[n * Dim + sinAt + i] = (float)Math.Sin(arg);
                emb[n * Dim + cosAt + i] = (float)Math.Cos(arg);
            }
        }
        return Tensor.FromArray(emb, [b, Dim]);
    }
}
