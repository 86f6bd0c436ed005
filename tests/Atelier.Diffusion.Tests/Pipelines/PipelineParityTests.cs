using System.Globalization;
using Atelier.Diffusion.Pipelines;
using Atelier.Tensors;
using Xunit.Abstractions;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>
/// Every pipeline case of the reference fixtures (§f), run end to end through our loaders, text encoder, UNet, VAE,
/// schedulers and pipelines, and compared tensor by tensor in the order diffusers computed them: the text
/// conditioning, then per UNet call its input, timestep and output, the latents after each step, the final latents,
/// the VAE input, the image and its 8 bits. The first tensor outside its tolerance fails the test, by name. Both
/// with diffusers' recorded noise injected and with all noise regenerated from seeds.
/// </summary>
public class PipelineParityTests(ITestOutputHelper output)
{
    // Tolerances of index.json / reference README §3.5 (UNet outputs 1e-4; pipeline latents and image 1e-3; uint8 ±1).
    private const double TextAtol = 1e-5, TextRtol = 1e-4;
    private const double UNetAtol = 1e-4;
    private const double LatentAtol = 1e-3;
    private const double ImageAtol = 1e-3;

    public static TheoryData<string, NoiseMode> Cases()
    {
        var data = new TheoryData<string, NoiseMode>();
        foreach (string name in PipelineCase.Names)
            foreach (var mode in new[] { NoiseMode.Recorded, NoiseMode.Seeded })
                data.Add(name, mode);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Pipeline_reproduces_every_recorded_tensor(string name, NoiseMode mode)
    {
        var fixture = PipelineCase.Load(name);
        var observer = new RecordingObserver();
        var recorded = mode == NoiseMode.Recorded ? fixture.RecordedNoise() : null;
        using var scope = TensorScope.Begin();
        var result = fixture.Run(mode, observer, recorded: recorded);

        if (recorded is not null)
            Assert.True(recorded.Remaining == 0, $"{name}: diffusers drew {string.Join(", ", recorded.RemainingNames)} but the pipeline did not");
        Assert.Equal(fixture.UNetCalls, observer.UNetCalls);
        CompareInOrder(fixture, observer, result, output);
    }

    /// <summary>
    /// Teacher forcing: each recorded UNet input, timestep and conditioning through our UNet gives diffusers' raw output
    /// (isolates the model from drift accumulated over the loop).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void Every_recorded_unet_call_is_reproduced_from_its_recorded_input(string name)
    {
        var fixture = PipelineCase.Load(name);
        var model = fixture.Model;
        var embeddings = fixture.Tensors["prompt_embeds"].ToTensor();
        double worst = 0;
        for (int i = 0; i < fixture.UNetCalls; i++)
        {
            using var scope = TensorScope.Begin();
            double t = fixture.Tensors[$"unet_call{i}_timestep"].AsDoubles[0];
            Tensor prediction = model.UNet.Forward(fixture.Tensors[$"unet_call{i}_sample"].ToTensor(), t, embeddings);
            worst = Math.Max(worst, Check($"{name} unet_call{i}_noise_pred (teacher-forced)", fixture.Tensors[$"unet_call{i}_noise_pred"].Values,
                prediction.ToFloatArray(), UNetAtol, 0));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: max |noise_pred - reference| over {fixture.UNetCalls} teacher-forced calls = {worst:G3}"));
    }

    /// <summary>The single-file checkpoint (ldm keys) runs the same pipeline as the diffusers folder, to float rounding.</summary>
    [SkippableTheory]
    [InlineData("txt2img_euler_neg")]
    [InlineData("img2img_ddim")]
    [InlineData("inpaint_4ch_blend")]
    public void Single_file_checkpoint_gives_the_folder_result(string name)
    {
        var fixture = PipelineCase.Load(name);
        using var scope = TensorScope.Begin();
        var folder = fixture.Run(NoiseMode.Seeded, model: TinyModels.Folder);
        var single = fixture.Run(NoiseMode.Seeded, model: TinyModels.SingleFile);
        double latents = Check($"{name}: single-file vs folder final latents", folder.Latents.ToFloatArray(), single.Latents.ToFloatArray(), 1e-5, 0);
        double image = Check($"{name}: single-file vs folder image", folder.Images.ToFloatArray(), single.Images.ToFloatArray(), 1e-5, 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: |single file - folder| final latents {latents:G3}, image {image:G3}"));
        CompareImages($"{name} single file", fixture, single);
    }

    /// <summary>
    /// The fp16 single file (weights = the fp32 ones rounded to half) inpaints with half weights kept half; its result
    /// stays near the fp32 reference (fp16 rounding of the weights only; measured max differences are printed).
    /// </summary>
    [SkippableFact]
    public void Half_precision_inpainting_checkpoint_stays_near_the_reference()
    {
        var fixture = PipelineCase.Load("inpaint_9ch");
        var model = TinyModels.SingleFileInpaintHalf;
        Assert.True(model.IsInpainting);
        Assert.All(model.UNet.Parameters(), p => Assert.Equal(DType.F16, p.Value.DType));
        using var scope = TensorScope.Begin();
        var result = fixture.Run(NoiseMode.Recorded, model: model);
        double latents = MaxAbsDiff(fixture.Tensors["final_latents"].Values, result.Latents.ToFloatArray());
        double image = MaxAbsDiff(fixture.Tensors["image"].Values, result.Images.ToFloatArray());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fp16 weights: max |final latents - reference| {latents:G3}, |image - reference| {image:G3}"));
        // fp16 weight rounding moves a single UNet output by ~2e-3 (Models tests); over 5 guided steps (x7.5) the
        // latents (std ~5) move by a few 1e-2. A wrong layer or a wrong channel order moves them by whole units.
        Assert.True(latents < 0.1, $"fp16 single file: final latents differ from the fp32 reference by {latents:G3}");
        Assert.True(image < 0.05, $"fp16 single file: image differs from the fp32 reference by {image:G3}");
    }

    public static TheoryData<string> CaseNames() => new(PipelineCase.Names);

    private static void CompareInOrder(PipelineCase fixture, RecordingObserver observer, PipelineResult result, ITestOutputHelper output)
    {
        var t = fixture.Tensors;
        var ours = observer.Tensors;
        var lines = new List<string>();
        void Compare(string tensor, double atol, double rtol = 0)
        {
            Assert.True(ours.ContainsKey(tensor), $"{fixture.Name}: the pipeline never showed {tensor}");
            Assert.True(ours[tensor].Shape == t[tensor].Shape, $"{fixture.Name}: {tensor} has shape {ours[tensor].Shape}, diffusers {t[tensor].Shape}");
            double diff = Check($"{fixture.Name} {tensor}", t[tensor].Values, ours[tensor].Values, atol, rtol);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{tensor,-24} max |diff| {diff:G3}"));
        }

        Compare("prompt_embeds", TextAtol, TextRtol);
        for (int i = 0; i < fixture.UNetCalls; i++)
        {
            double expected = t[$"unet_call{i}_timestep"].AsDoubles[0];
            Assert.True((float)observer.Timesteps[i] == (float)expected,
                $"{fixture.Name}: UNet call {i} at timestep {observer.Timesteps[i]}, diffusers at {expected}");
            Compare($"unet_call{i}_sample", UNetAtol);
            Compare($"unet_call{i}_noise_pred", UNetAtol);
            if (t.ContainsKey($"latents_after_step{i}"))
                Compare($"latents_after_step{i}", LatentAtol);
        }
        Compare("final_latents", LatentAtol);
        Compare("vae_decode_input", LatentAtol / 0.18215);
        double image = Check($"{fixture.Name} image", t["image"].Values, result.Images.ToFloatArray(), ImageAtol, 0);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{"image",-24} max |diff| {image:G3}"));
        int uint8 = CompareImages(fixture.Name, fixture, result);
        lines.Add($"{"image_uint8",-24} max |diff| {uint8}");
        output.WriteLine(fixture.Name + Environment.NewLine + string.Join(Environment.NewLine, lines));
    }

    /// <summary>8-bit pixels against image_uint8 [1, 3, H, W]: at most 1 apart (values on a rounding boundary may flip).</summary>
    private static int CompareImages(string context, PipelineCase fixture, PipelineResult result)
    {
        float[] expected = fixture.Tensors["image_uint8"].Values;
        var pixels = result.Pixels[0];
        int h = pixels.Height, w = pixels.Width, worst = 0;
        Assert.Equal(expected.Length, 3 * h * w);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < h * w; i++)
                worst = Math.Max(worst, Math.Abs(pixels.Pixels[i * 3 + c] - (int)expected[c * h * w + i]));
        Assert.True(worst <= 1, $"{context} image_uint8: pixels differ by up to {worst} (expected at most 1)");
        return worst;
    }

    /// <summary>Fails naming the tensor, the first index outside atol + rtol·|expected| and the largest difference.</summary>
    private static double Check(string what, float[] expected, float[] actual, double atol, double rtol)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double worst = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            if (!(diff <= atol + rtol * Math.Abs(expected[i])) && first < 0)
                first = i;
            if (!(diff <= worst))
                worst = diff;
        }
        if (first >= 0)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{what} is the first tensor that diverges: at flat index {first} {actual[first]:R} vs diffusers {expected[first]:R}; max |diff| {worst:G3} > atol {atol:G3}"));
        }
        return worst;
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}
