using Atelier.Formats.Safetensors;
using Atelier.Models.UNet;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Models.Tests.UNet;

/// <summary>
/// One case of <c>reference/tiny-sd-expected</c> §c: the UNet's inputs and the outputs diffusers 0.30.3 computed from
/// them (<c>unet.safetensors</c>, <c>unet_sd2.safetensors</c>, <c>unet_inpaint.safetensors</c>).
/// </summary>
internal sealed class UNetFixture
{
    // index.json "unet*.tolerance".
    public const double Atol = 1e-4, Rtol = 1e-4;

    /// <summary>The forward-hook intermediates of the t=999 call, in forward order: fixture name, our module name.</summary>
    public static (string Fixture, string Module)[] DebugOrder(int levels)
    {
        var order = new List<(string, string)> { ("time_proj", "time_proj"), ("time_embedding", "time_embedding"), ("conv_in", "conv_in") };
        for (int i = 0; i < levels; i++) order.Add(($"down_block_{i}", $"down_blocks.{i}"));
        order.Add(("mid_block", "mid_block"));
        for (int i = 0; i < levels; i++) order.Add(($"up_block_{i}", $"up_blocks.{i}"));
        order.Add(("conv_norm_out", "conv_norm_out"));
        return [.. order];
    }

    private UNetFixture(Dictionary<string, Tensor> tensors) => Tensors = tensors;

    public Dictionary<string, Tensor> Tensors { get; }

    public Tensor this[string name] => Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture tensor '{name}' is absent.");

    /// <summary>Loads <c>tiny-sd-expected/{name}.safetensors</c> (skips the test when shared/ is absent).</summary>
    public static UNetFixture Load(string name)
    {
        string path = SharedData.Require($"reference/tiny-sd-expected/{name}.safetensors");
        var file = SafetensorsFile.Open(path);
        return new UNetFixture(file.ToTensors());
    }

    /// <summary>The diffusers folder of the model the case was computed with (<c>tiny-sd/unet</c>, <c>unet_sd2</c>, <c>unet_inpaint</c>).</summary>
    public static UNet2DConditionModel LoadModel(string name) =>
        UNet2DConditionModel.FromFolder(SharedData.Require($"reference/tiny-sd/{name}"));
}
