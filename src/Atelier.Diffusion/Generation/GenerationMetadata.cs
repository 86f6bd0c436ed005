using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Formats.Images;

namespace Atelier.Diffusion.Generation;

/// <summary>
/// The one place where generation parameters become PNG metadata (provenance manifests will be added here too):
/// <list type="bullet">
/// <item>a <c>parameters</c> text chunk in AUTOMATIC1111's format, which image browsers and A1111's "PNG Info" read:
/// the prompt, a "Negative prompt:" line when there is one, then "Steps: 20, Sampler: Euler a, CFG scale: 7.5,
/// Seed: …, Size: WxH, Model hash: …, Model: …" (tEXt when the text is Latin-1, else iTXt);</item>
/// <item>an <c>atelier</c> iTXt chunk holding the same as JSON (<see cref="ToJson"/>), for programs.</item>
/// </list>
/// </summary>
public static class GenerationMetadata
{
    /// <summary>Keyword of the AUTOMATIC1111-style text chunk.</summary>
    public const string ParametersKeyword = "parameters";

    /// <summary>Keyword of the JSON chunk.</summary>
    public const string JsonKeyword = "atelier";

    /// <summary>The AUTOMATIC1111 <c>parameters</c> text.</summary>
    public static string ToA1111(GenerationParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var text = new StringBuilder(p.Prompt);
        if (p.NegativePrompt.Length > 0)
            text.Append("\nNegative prompt: ").Append(p.NegativePrompt);
        var fields = new List<string>
        {
            $"Steps: {p.Steps}",
            $"Sampler: {SamplerLabels.Of(p.Sampler)}",
            $"CFG scale: {Number(p.GuidanceScale)}",
            $"Seed: {p.Seed}",
            $"Size: {p.Width}x{p.Height}",
        };
        if (p.ModelHash is not null)
            fields.Add($"Model hash: {p.ModelHash}");
        fields.Add($"Model: {Field(p.ModelName)}");
        if (p.Strength is { } strength)
            fields.Add($"Denoising strength: {Number(strength)}");
        if (p.ClipSkip > 0)
            fields.Add($"Clip skip: {p.ClipSkip + 1}");
        if (p.BatchSize > 1)
            fields.Add($"Batch size: {p.BatchSize}, Batch pos: {p.BatchIndex}");
        fields.Add("Version: Atelier");
        return text.Append('\n').Append(string.Join(", ", fields)).ToString();
    }

    /// <summary>The same parameters as a JSON object (snake_case names; sampler as its short name).</summary>
    public static string ToJson(GenerationParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var json = new JsonObject
        {
            ["generator"] = "atelier",
            ["mode"] = p.Mode switch
            {
                GenerationMode.TextToImage => "txt2img",
                GenerationMode.ImageToImage => "img2img",
                _ => "inpaint",
            },
            ["prompt"] = p.Prompt,
            ["negative_prompt"] = p.NegativePrompt,
            ["steps"] = p.Steps,
            ["sampler"] = p.Sampler,
            ["cfg_scale"] = p.GuidanceScale,
            ["seed"] = p.Seed,
            ["width"] = p.Width,
            ["height"] = p.Height,
            ["model"] = p.ModelName,
            ["model_hash"] = p.ModelHash,
            ["clip_skip"] = p.ClipSkip,
            ["strength"] = p.Strength,
            ["batch_size"] = p.BatchSize,
            ["batch_index"] = p.BatchIndex,
        };
        return json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The PNG chunks for an image made with <paramref name="p"/>.</summary>
    public static PngMetadata ToPng(GenerationParameters p)
    {
        string parameters = ToA1111(p);
        var metadata = new PngMetadata();
        metadata.Add(IsLatin1(parameters)
            ? PngTextChunk.Latin1(ParametersKeyword, parameters)
            : PngTextChunk.International(ParametersKeyword, parameters));
        metadata.Add(PngTextChunk.International(JsonKeyword, ToJson(p)));
        return metadata;
    }

    /// <summary>Encodes <paramref name="image"/> as PNG with the parameters' metadata.</summary>
    public static byte[] EncodePng(GeneratedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PngEncoder.Encode(image.Image, PngEncodeOptions.Small, ToPng(image.Parameters));
    }

    private static string Number(double value) => value.ToString("0.#####", CultureInfo.InvariantCulture);

    /// <summary>A1111 quotes a field value holding its separators.</summary>
    private static string Field(string value) =>
        value.Contains(',') || value.Contains(':') || value.Contains('"') ? JsonSerializer.Serialize(value) : value;

    private static bool IsLatin1(string text)
    {
        foreach (char c in text)
            if (c == '\0' || c > '\u00FF')
                return false;
        return true;
    }
}
