using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Safetensors;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Diffusion.Tests;

/// <summary>
/// The scheduler fixtures of <c>shared/reference/tiny-sd-expected</c> (§e): <c>schedulers.json</c> and the per-run
/// safetensors files, read through the real safetensors reader. Tests that use them skip when shared/ is absent.
/// </summary>
internal static class SchedulerFixtures
{
    private static readonly Lazy<JsonObject> s_json = new(() => LoadJson("schedulers.json"));
    private static readonly Lazy<JsonObject> s_index = new(() => LoadJson("index.json"));

    /// <summary>schedulers.json (Python's -Infinity literals quoted).</summary>
    public static JsonObject Json
    {
        get
        {
            SharedData.Require("reference/tiny-sd-expected/schedulers.json");
            return s_json.Value;
        }
    }

    /// <summary>index.json: every fixture case, including the pipelines' scheduler configs and calls.</summary>
    public static JsonObject Index
    {
        get
        {
            SharedData.Require("reference/tiny-sd-expected/index.json");
            return s_index.Value;
        }
    }

    /// <summary>Every tensor of a fixture file (path relative to tiny-sd-expected), as float32 copies that outlive the file.</summary>
    public static Dictionary<string, FixtureTensor> LoadTensors(string relativePath)
    {
        string path = SharedData.Require("reference/tiny-sd-expected/" + relativePath);
        using var file = SafetensorsFile.Open(path);
        var result = new Dictionary<string, FixtureTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in file.ToTensors())
        {
            result[name] = tensor.DType == DType.I64
                ? new FixtureTensor(name, tensor.Shape, Array.ConvertAll(tensor.ToArray<long>(), v => (double)v), null)
                : new FixtureTensor(name, tensor.Shape, null, tensor.ToFloatArray());
        }
        return result;
    }

    private static JsonObject LoadJson(string name)
    {
        string path = SharedData.Require("reference/tiny-sd-expected/" + name);
        byte[] bytes = Atelier.Formats.Checkpoints.PythonJson.QuoteNonFiniteLiterals(File.ReadAllBytes(path));
        return JsonNode.Parse(bytes)!.AsObject();
    }
}

/// <summary>One fixture tensor: float32 values, or int64 values widened to double (timesteps).</summary>
internal sealed record FixtureTensor(string Name, Shape Shape, double[]? Integers, float[]? Floats)
{
    public float[] Values => Floats ?? Array.ConvertAll(Integers!, v => (float)v);

    public double[] AsDoubles => Integers ?? Array.ConvertAll(Floats!, v => (double)v);

    public Tensor ToTensor() => Tensor.FromArray(Values, Shape);
}
