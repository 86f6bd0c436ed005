using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>
/// Every step of every 10-step run, teacher-forced: the scheduler gets diffusers' recorded sample, model output and
/// noise, and must give its model input, prev_sample and pred_original_sample / denoised to atol 1e-5 (rtol 1e-5),
/// drawing exactly the noise diffusers drew.
/// </summary>
public class TeacherForcedStepTests
{
    private const double Tolerance = 1e-5;

    [SkippableTheory]
    [MemberData(nameof(FixtureSchedulers.Runs), MemberType = typeof(FixtureSchedulers))]
    public void EveryStepMatchesDiffusers(string run)
    {
        var fixture = SchedulerRunFixture.Load(run);
        var scheduler = fixture.CreateScheduler();
        Assert.True(fixture.ModelCalls == scheduler.Timesteps.Count, $"{run}: {scheduler.Timesteps.Count} timesteps, diffusers made {fixture.ModelCalls} model calls");
        Assert.Equal(fixture.Get("timesteps").AsDoubles, scheduler.Timesteps);
        TensorAssert.Close(fixture.Get("x_start").Values, fixture.Tensor("x_init") * scheduler.InitNoiseSigma, Tolerance, Tolerance, $"{run}: x_init * init_noise_sigma");

        for (int i = 0; i < fixture.ModelCalls; i++)
        {
            string context = $"{run} step {i}";
            double t = fixture.Timestep(i);
            Assert.True(t == scheduler.Timesteps[i], $"{context}: the fixture steps t = {t}, the scheduler's timestep {i} is {scheduler.Timesteps[i]}");
            Tensor sample = i == 0 ? fixture.Tensor("x_start") : fixture.Tensor($"step{i - 1}_prev_sample");

            TensorAssert.Close(fixture.Get($"step{i}_model_input").Values, scheduler.ScaleModelInput(sample, t), Tolerance, Tolerance, $"{context} model_input");

            var noise = fixture.Noise(i);
            var output = scheduler.Step(fixture.Tensor($"step{i}_model_output"), t, sample, noise);
            Assert.True(noise.Remaining == 0, $"{context}: diffusers drew {string.Join(", ", noise.RemainingNames)} that the scheduler did not use");

            TensorAssert.Close(fixture.Get($"step{i}_prev_sample").Values, output.PrevSample, Tolerance, Tolerance, $"{context} prev_sample");
            if (fixture.Has($"step{i}_pred_original_sample"))
            {
                Assert.True(output.PredictedOriginal is not null, $"{context}: diffusers returns pred_original_sample, the scheduler none");
                TensorAssert.Close(fixture.Get($"step{i}_pred_original_sample").Values, output.PredictedOriginal!, Tolerance, Tolerance, $"{context} pred_original_sample");
            }
            if (fixture.Has($"step{i}_denoised"))
            {
                Assert.True(output.Denoised is not null, $"{context}: diffusers returns denoised, the scheduler none");
                TensorAssert.Close(fixture.Get($"step{i}_denoised").Values, output.Denoised!, Tolerance, Tolerance, $"{context} denoised");
            }
        }
    }
}
