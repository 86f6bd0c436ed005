namespace Atelier.Diffusion.Schedulers;

/// <summary>What the denoising model predicts (diffusers <c>prediction_type</c>).</summary>
public enum PredictionType
{
    /// <summary><c>"epsilon"</c>: the added noise (SD 1.x, SD 2.x base).</summary>
    Epsilon,

    /// <summary><c>"sample"</c>: the clean sample x0 directly.</summary>
    Sample,

    /// <summary><c>"v_prediction"</c>: v = sqrt(a) * eps - sqrt(1 - a) * x0 (Salimans and Ho 2022, §4; SD 2.x 768).</summary>
    VPrediction,
}
