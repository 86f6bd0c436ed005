namespace Atelier.Models.Mini;

/// <summary>Sampling settings of <see cref="MiniPipeline"/>; the defaults are the shipped ones.</summary>
public sealed record MiniGenerateOptions
{
    /// <summary>Seed of every random draw (same seed, same settings → bit-identical image, at any thread count).</summary>
    public ulong Seed { get; init; } = 1;

    public int PriorSteps { get; init; } = MiniPriorSampling.DefaultSteps;

    public float PriorGuidance { get; init; } = MiniPriorSampling.DefaultGuidance;

    public int DecoderSteps { get; init; } = MiniDecoderSampling.DefaultSteps;

    public float DecoderGuidance { get; init; } = MiniDecoderSampling.DefaultGuidance;

    public MiniSolver Solver { get; init; } = MiniSolver.DpmSolverPlusPlus2M;

    public MiniGenerateOptions Validate()
    {
        if (PriorSteps < 1 || PriorSteps > 1000) throw new ArgumentOutOfRangeException(nameof(PriorSteps), PriorSteps, "prior steps must be in [1, 1000].");
        if (DecoderSteps < 1 || DecoderSteps > 1000) throw new ArgumentOutOfRangeException(nameof(DecoderSteps), DecoderSteps, "decoder steps must be in [1, 1000].");
        if (!float.IsFinite(PriorGuidance) || !float.IsFinite(DecoderGuidance))
            throw new ArgumentOutOfRangeException(nameof(PriorGuidance), "guidance scales must be finite.");
        return this;
    }
}
