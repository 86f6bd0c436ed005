using Atelier.Formats.Safetensors;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Loads the shipped atelier-mini models: <c>&lt;name&gt;.json</c> (config) + <c>&lt;name&gt;.safetensors</c> (F16 or F32)
/// from a folder, weights widened to F32 once at load (the models run in F32). Call outside any <see cref="TensorScope"/>.
/// </summary>
public static class MiniModelFiles
{
    public const string Prior = "prior", Decoder = "decoder", Upsampler = "upsampler";

    public static MiniPrior LoadPrior(string folder) =>
        Load(folder, Prior, json => new MiniPrior(MiniPriorConfig.FromJson(json, Path.Combine(folder, Prior + ".json"))));

    public static MiniDecoder LoadDecoder(string folder) =>
        Load(folder, Decoder, json => new MiniDecoder(MiniDecoderConfig.FromJson(json, Path.Combine(folder, Decoder + ".json"))));

    public static MiniUpsampler LoadUpsampler(string folder) =>
        Load(folder, Upsampler, json => new MiniUpsampler(MiniUpsamplerConfig.FromJson(json, Path.Combine(folder, Upsampler + ".json"))));

    private static T Load<T>(string folder, string name, Func<string, T> create) where T : Module
    {
        string config = Path.Combine(folder, name + ".json"), weights = Path.Combine(folder, name + ".safetensors");
        if (!File.Exists(config)) throw new FileNotFoundException($"atelier-mini: {config} is missing (the {name}'s config).", config);
        if (!File.Exists(weights)) throw new FileNotFoundException($"atelier-mini: {weights} is missing (the {name}'s weights).", weights);
        T model = create(File.ReadAllText(config));
        using var file = SafetensorsFile.Open(weights);
        var tensors = file.ToTensors().ToDictionary(p => p.Key, p => p.Value.Cast(DType.F32).Contiguous(), StringComparer.Ordinal);
        model.LoadWeights(tensors, weights);
        return model;
    }
}
