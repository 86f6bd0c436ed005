namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Choices when opening a checkpoint. The single-file entries supply what tensor shapes cannot tell (see
/// <see cref="SingleFileCheckpoint"/> for the rules used when they are null).
/// </summary>
public sealed record CheckpointOptions
{
    public static CheckpointOptions Default { get; } = new();

    /// <summary>Diffusers weight variant to load, e.g. <c>fp16</c> for <c>diffusion_pytorch_model.fp16.safetensors</c>. Null: the plain files (or the only variant present).</summary>
    public string? Variant { get; init; }

    /// <summary>
    /// Single file holding both <c>model.diffusion_model.*</c> and <c>model_ema.*</c>: use the EMA UNet weights (true,
    /// the default: CompVis' txt2img samples inside <c>model.ema_scope()</c>) or the raw ones (false, diffusers'
    /// <c>from_single_file</c> default).
    /// </summary>
    public bool PreferEma { get; init; } = true;

    /// <summary>Overrides the prediction type (<c>epsilon</c> or <c>v_prediction</c>) whatever the files say.</summary>
    public string? PredictionType { get; init; }

    /// <summary>Single file: the pixel resolution the model was trained at (sets UNet and VAE <c>sample_size</c>).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Single file: text encoder heads (shapes cannot tell; default hidden_size / 64 as in every CLIP SD uses).</summary>
    public int? TextAttentionHeads { get; init; }

    /// <summary>Single file: UNet heads per block, written to <c>attention_head_dim</c> (default SD 1.x: 8; SD 2.x: channels / 64).</summary>
    public IntOrList? UNetAttentionHeads { get; init; }

    /// <summary>Single file: VAE latent scaling factor (default 0.18215, SD 1.x and 2.x).</summary>
    public double? VaeScalingFactor { get; init; }

    /// <summary>
    /// Single file, SD 2.x: also map OpenCLIP's <c>text_projection</c> to <c>text_projection.weight</c> (transposed into
    /// memory, as CLIPTextModelWithProjection names it). Off by default: SD 2.x pipelines use CLIPTextModel, which has none.
    /// </summary>
    public bool IncludeTextProjection { get; init; }
}
