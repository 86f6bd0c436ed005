using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Models.Mini;

/// <summary>Shape of <see cref="MiniPrior"/> (stored as <c>prior.json</c> beside the weights).</summary>
public sealed record MiniPriorConfig
{
    /// <summary>Width of the CLIP-mini joint embedding (text in, image out).</summary>
    public int EmbeddingDim { get; init; } = 256;

    /// <summary>Width of the residual stream.</summary>
    public int Width { get; init; } = 512;

    /// <summary>Residual MLP blocks.</summary>
    public int Layers { get; init; } = 6;

    /// <summary>Hidden width of each block's MLP, as a multiple of <see cref="Width"/>.</summary>
    public int MlpRatio { get; init; } = 2;

    /// <summary>
    /// The unit-norm CLIP embeddings are multiplied by this before diffusion, so their entries have about unit
    /// variance like the noise: √EmbeddingDim (a unit vector in d dimensions has entries of variance 1/d).
    /// DALL-E 2 scales its ViT-L embeddings by 17.2 for the same reason (Ramesh et al. 2022, appendix C).
    /// </summary>
    [JsonIgnore]
    public float EmbeddingScale => MathF.Sqrt(EmbeddingDim);

    /// <summary>A prior small enough for unit tests.</summary>
    public static MiniPriorConfig Tiny { get; } = new() { EmbeddingDim = 12, Width = 32, Layers = 2 };

    public MiniPriorConfig Validate()
    {
        if (EmbeddingDim < 1) throw new MiniConfigException("prior", "embedding_dim", "at least 1");
        if (Width < 2 || Width % 2 != 0) throw new MiniConfigException("prior", "width", "an even width of at least 2");
        if (Layers < 1) throw new MiniConfigException("prior", "layers", "at least 1");
        if (MlpRatio < 1) throw new MiniConfigException("prior", "mlp_ratio", "at least 1");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, MiniJson.Options);

    public static MiniPriorConfig FromJson(string json, string origin) => MiniJson.Read<MiniPriorConfig>(json, origin).Validate();
}
