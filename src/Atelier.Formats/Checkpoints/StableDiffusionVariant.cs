namespace Atelier.Formats.Checkpoints;

/// <summary>Stable Diffusion generation: 1.x (CLIP ViT-L text encoder, 768-d context) or 2.x (OpenCLIP ViT-H, 1024-d context, linear projections).</summary>
public enum StableDiffusionFamily
{
    V1,
    V2,
}

/// <summary>What a single file's EMA weights were used for.</summary>
public enum EmaUsage
{
    /// <summary>The file has no <c>model_ema.*</c> weights (or the layout has no such notion).</summary>
    Absent,

    /// <summary>The UNet weights are the EMA ones.</summary>
    Used,

    /// <summary>EMA weights are present but the raw ones were used (<see cref="CheckpointOptions.PreferEma"/> = false).</summary>
    Ignored,
}

/// <summary>What kind of Stable Diffusion a checkpoint is, and how each answer was reached.</summary>
/// <param name="PredictionTypeSource">Where <paramref name="PredictionType"/> came from (a config field, a metadata key, an option, or the default).</param>
public sealed record StableDiffusionVariant(
    StableDiffusionFamily Family,
    bool IsInpainting,
    string PredictionType,
    string PredictionTypeSource,
    EmaUsage Ema)
{
    public bool IsVPrediction => PredictionType == "v_prediction";
}
