using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_is_linear_then_cosine_reaches_the_floor()
    {
        var s = new LearningRateSchedule(1e-3f, WarmupSteps: 10, TotalSteps: 110, FinalLearningRate: 1e-4f);
        Assert.Equal(1e-4f, s.At(0), 7);
        Assert.Equal(5e-4f, s.At(4), 7);
        Assert.Equal(1e-3f, s.At(9), 7);
        Assert.Equal(1e-3f, s.At(10), 7);                  // cosine at 0
        Assert.Equal(0.55e-3f, s.At(60), 7);               // half way: η_min + ½(η_max − η_min)
        Assert.Equal(1e-4f + 0.9e-3f * 0.5f * (1 + MathF.Cos(MathF.PI * 0.25f)), s.At(35), 7);
        Assert.Equal(1e-4f, s.At(110), 7);
        Assert.Equal(1e-4f, s.At(500), 7);
    }

    [Fact]
    public void Decreases_monotonically_after_warmup()
    {
        var s = new LearningRateSchedule(3e-4f, 5, 50);
        for (int i = 5; i < 60; i++)
            Assert.True(s.At(i + 1) <= s.At(i), $"step {i}");
    }

    [Fact]
    public void Invalid_schedules_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1e-3f, 20, 10).At(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1e-3f, 0, 10, 2e-3f).At(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(1e-3f, 0, 10).At(-1));
    }
}
