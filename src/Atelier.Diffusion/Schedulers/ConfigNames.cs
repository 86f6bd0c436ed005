namespace Atelier.Diffusion.Schedulers;

/// <summary>The diffusers spellings of the enum-valued config fields, for reading and writing configs.</summary>
internal static class ConfigNames
{
    public static readonly (string Name, BetaSchedule Value)[] BetaSchedules =
    [
        ("linear", BetaSchedule.Linear),
        ("scaled_linear", BetaSchedule.ScaledLinear),
        ("squaredcos_cap_v2", BetaSchedule.SquaredCosCapV2),
    ];

    public static readonly (string Name, PredictionType Value)[] PredictionTypes =
    [
        ("epsilon", PredictionType.Epsilon),
        ("sample", PredictionType.Sample),
        ("v_prediction", PredictionType.VPrediction),
    ];

    public static readonly (string Name, TimestepSpacing Value)[] TimestepSpacings =
    [
        ("leading", TimestepSpacing.Leading),
        ("linspace", TimestepSpacing.Linspace),
        ("trailing", TimestepSpacing.Trailing),
    ];

    public static string Name<TEnum>(IReadOnlyList<(string Name, TEnum Value)> names, TEnum value) where TEnum : struct, Enum
    {
        foreach (var (name, v) in names)
            if (EqualityComparer<TEnum>.Default.Equals(v, value))
                return name;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"no config name for {typeof(TEnum).Name}.{value}");
    }

    public static string Name(BetaSchedule value) => Name(BetaSchedules, value);

    public static string Name(PredictionType value) => Name(PredictionTypes, value);

    public static string Name(TimestepSpacing value) => Name(TimestepSpacings, value);
}
