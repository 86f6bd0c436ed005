using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>
/// The loop of schedulers.json "loop", free-running: the scheduler's own samples feed a synthetic model
/// (model_output = 0.1 * xin + cos(t * pi / 1000) * B, the cosine in float64 then cast), with diffusers' recorded noise;
/// every step must stay within atol 1e-4 of diffusers' run.
/// </summary>
public class FreeRunningLoopTests
{
    private const double Tolerance = 1e-4;

    [SkippableTheory]
    [MemberData(nameof(FixtureSchedulers.Runs), MemberType = typeof(FixtureSchedulers))]
    public void TenStepLoopTracksDiffusers(string run)
    {
        var fixture = SchedulerRunFixture.Load(run);
        var scheduler = fixture.CreateScheduler();
        var b = fixture.Tensor("B");
        var x = fixture.Tensor("x_init") * scheduler.InitNoiseSigma;

        int i = 0;
        foreach (double t in scheduler.Timesteps)
        {
            string context = $"{run} step {i} (t = {t})";
            Assert.True(i < fixture.ModelCalls, $"{context}: more timesteps than diffusers' {fixture.ModelCalls} model calls");
            Assert.True(t == fixture.Timestep(i), $"{context}: diffusers stepped t = {fixture.Timestep(i)}");

            var input = scheduler.ScaleModelInput(x, t);
            float c = (float)Math.Cos(t * Math.PI / 1000);
            var modelOutput = input * 0.1f + b * c;
            x = scheduler.Step(modelOutput, t, x, fixture.Noise(i)).PrevSample;

            TensorAssert.Close(fixture.Get($"step{i}_prev_sample").Values, x, Tolerance, 0, context);
            i++;
        }
        Assert.Equal(fixture.ModelCalls, i);
    }
}
