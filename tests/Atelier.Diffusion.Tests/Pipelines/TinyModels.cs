using Atelier.Diffusion.Pipelines;
using Atelier.Formats.Checkpoints;
using Atelier.Models.UNet;
using Atelier.TestSupport;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>
/// The reference fixtures' tiny Stable Diffusion (<c>shared/reference/tiny-sd</c>), loaded once per test run through
/// the real loaders: the diffusers folder, the same with its inpainting UNet (<c>unet_inpaint/</c>), and the
/// single-file checkpoints. Models are immutable, so tests share them. Each accessor skips the test when shared/ is absent.
/// </summary>
internal static class TinyModels
{
    /// <summary>What the tiny single files' shapes cannot tell (reference/README.md §3.3): 64 px images, 4 text heads.</summary>
    public static readonly CheckpointOptions SingleFileOptions = new() { ImageSize = 64, TextAttentionHeads = 4 };

    private static readonly Lazy<StableDiffusionModel> s_folder = new(() => StableDiffusionModel.Load(Path("reference/tiny-sd")));
    private static readonly Lazy<StableDiffusionModel> s_inpaint = new(() =>
        s_folder.Value.WithUNet(UNet2DConditionModel.FromFolder(Path("reference/tiny-sd/unet_inpaint")), Path("reference/tiny-sd/unet_inpaint")));
    private static readonly Lazy<StableDiffusionModel> s_singleFile = new(() => StableDiffusionModel.Load(Path("reference/tiny-sd-original/tiny-sd.safetensors"),
        new StableDiffusionLoadOptions { Checkpoint = SingleFileOptions, TokenizerFolder = Path("reference/tiny-sd/tokenizer") }));
    private static readonly Lazy<StableDiffusionModel> s_singleFileInpaintHalf = new(() => StableDiffusionModel.Load(Path("reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors"),
        new StableDiffusionLoadOptions { Checkpoint = SingleFileOptions, TokenizerFolder = Path("reference/tiny-sd/tokenizer") }));

    /// <summary><c>tiny-sd/</c>: PNDM, 4-channel UNet.</summary>
    public static StableDiffusionModel Folder => Get(s_folder, "reference/tiny-sd/model_index.json");

    /// <summary><c>tiny-sd/</c> with <c>unet_inpaint/</c> (9 input channels).</summary>
    public static StableDiffusionModel Inpaint => Get(s_inpaint, "reference/tiny-sd/unet_inpaint/config.json");

    /// <summary><c>tiny-sd-original/tiny-sd.safetensors</c> (ldm keys, fp32) with the folder's tokenizer.</summary>
    public static StableDiffusionModel SingleFile => Get(s_singleFile, "reference/tiny-sd-original/tiny-sd.safetensors");

    /// <summary><c>tiny-sd-original/tiny-sd-inpaint.fp16.safetensors</c>: the inpainting model stored as F16.</summary>
    public static StableDiffusionModel SingleFileInpaintHalf => Get(s_singleFileInpaintHalf, "reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors");

    /// <summary>An absolute path under shared/ (skips the test when absent).</summary>
    public static string Path(string relative) => SharedData.Require(relative);

    private static StableDiffusionModel Get(Lazy<StableDiffusionModel> model, string required)
    {
        SharedData.Require(required);
        return model.Value;
    }
}
