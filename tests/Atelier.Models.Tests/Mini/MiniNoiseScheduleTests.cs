using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public class MiniNoiseScheduleTests
{
    private readonly MiniNoiseSchedule _schedule = new();

    [Fact]
    public void Cosine_schedule_telescopes_to_f_over_f0_until_the_beta_clip()
    {
        // Without clipping, ᾱ_t = ∏ (1 − β_i) = ∏ f((i+1)/T)/f(i/T) = f((t+1)/T)/f(0) (Improved DDPM eq. 17).
        static double F(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);
        for (int t = 0; t < 990; t++)
            Assert.Equal(F((t + 1) / 1000.0) / F(0), _schedule.AlphaCumprod(t), 1e-10);
        for (int t = 1; t < 1000; t++)
            Assert.True(_schedule.AlphaCumprod(t) < _schedule.AlphaCumprod(t - 1));
        Assert.InRange(_schedule.AlphaCumprod(0), 0.9999, 1.0);
        Assert.InRange(_schedule.AlphaCumprod(999), 0, 1e-6);   // pure noise at the last step
        Assert.Equal(1, _schedule.AlphaCumprod(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _schedule.AlphaCumprod(1000));
    }

    [Fact]
    public void Sampling_timesteps_are_trailing()
    {
        Assert.Equal([999, 749, 499, 249], _schedule.SamplingTimesteps(4));
        Assert.Equal([999], _schedule.SamplingTimesteps(1));
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), _schedule.SamplingTimesteps(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => _schedule.SamplingTimesteps(0));
    }

    [Fact]
    public void Clean_sample_is_recovered_from_v_and_from_epsilon()
    {
        var g = new TorchGenerator(1);
        Tensor x0 = MiniTestData.Randn(g, 3, 2, 2, 2), eps = MiniTestData.Randn(g, 3, 2, 2, 2);
        int[] t = [0, 400, 998];
        Tensor xt = _schedule.AddNoise(x0, eps, t);
        TensorAssert.Close("x0 from v", x0, _schedule.PredictedOriginal(xt, _schedule.Velocity(x0, eps, t), t, MiniPrediction.Velocity), 1e-5);
        // ε-prediction divides by aₜ ≈ 0.001 at t = 998: compare the first two samples only.
        TensorAssert.Close("x0 from eps", x0.Narrow(0, 0, 2), _schedule.PredictedOriginal(xt, eps, t, MiniPrediction.Epsilon).Narrow(0, 0, 2), 1e-4);
        // x_t = a x0 + σ ε element by element.
        double a = Math.Sqrt(_schedule.AlphaCumprod(400)), s = Math.Sqrt(1 - _schedule.AlphaCumprod(400));
        Assert.Equal(a * x0[1, 0, 1, 1] + s * eps[1, 0, 1, 1], xt[1, 0, 1, 1], 5);
        Assert.Throws<TensorShapeException>(() => _schedule.AddNoise(x0, eps, [1, 2]));
    }
}
