using Atelier.Formats.Safetensors;
using Atelier.Formats.Tokenizers;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// CLIP-mini (stage 1 of atelier-mini): a text tower and an image tower mapping captions and images into one
/// L2-normalised joint space, trained contrastively (Radford et al. 2021) with a learnable temperature
/// <c>logit_scale</c> (stored as log(1/τ), used as exp(min(logit_scale, log 100))).
/// Checkpoint names: <c>text_model.*</c>, <c>vision_model.*</c>, <c>logit_scale</c>.
/// </summary>
public sealed class MiniClip : Module, IMiniClipEncoder
{
    public const string WeightsFileName = "clip.safetensors";
    public const string ConfigFileName = "clip.json";
    public const string TokenizerDirectoryName = "tokenizer";

    public MiniClip(MiniClipConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        TextModel = Add("text_model", new MiniClipTextTower(config));
        VisionModel = Add<MiniClipImageTower>("vision_model", config.ImageTower == MiniClipImageTowers.ResNet
            ? new MiniClipResNet(config)
            : new MiniClipVisionTransformer(config));
        LogitScale = AddParameter("logit_scale", Shape.Scalar);
    }

    public MiniClipConfig Config { get; }
    public MiniClipTextTower TextModel { get; }
    public MiniClipImageTower VisionModel { get; }

    /// <summary>log(1/τ), a scalar.</summary>
    public Parameter LogitScale { get; }

    /// <summary>The tokenizer the model was trained with (set by <see cref="Load"/>; needed by <see cref="EncodeText"/>).</summary>
    public ClipTokenizer? Tokenizer { get; set; }

    /// <summary>Fresh training values: PyTorch's defaults, then CLIP's own rules for the towers, logit scale = log(init).</summary>
    public void Initialize(TorchGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Init.Default(this, generator);
        TextModel.InitializeLikeClip(generator);
        VisionModel.InitializeLikeClip(generator);
        Init.Constant(LogitScale, MathF.Log(Config.LogitScaleInit));
    }

    /// <summary>
    /// Loads <c>clip.json</c>, <c>clip.safetensors</c> (F16 or F32) and the <c>tokenizer/</c> folder from
    /// <paramref name="directory"/> (e.g. <c>models/atelier-mini</c>).
    /// </summary>
    public static MiniClip Load(string directory)
    {
        string configPath = Path.Combine(directory, ConfigFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        string tokenizerPath = Path.Combine(directory, TokenizerDirectoryName);
        foreach (string path in new[] { configPath, weightsPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"CLIP-mini: {path} is missing (train it with `atelier train clip` and export the weights).", path);
        var model = new MiniClip(MiniClipConfig.FromJson(File.ReadAllText(configPath), configPath));
        using (var file = SafetensorsFile.Open(weightsPath))
            model.LoadWeights(file.ToTensors(), weightsPath);
        if (Directory.Exists(tokenizerPath))
            model.Tokenizer = ClipTokenizer.FromDirectory(tokenizerPath);
        return model;
    }

    /// <summary>exp(logit_scale) clamped at <see cref="MiniClipConfig.LogitScaleMax"/> (a scalar tensor, differentiable).</summary>
    public Tensor Temperature() => LogitScale.Value.Clamp(max: MathF.Log(Config.LogitScaleMax)).Exp();

    /// <summary>
    /// Image embeddings for training (records gradients): images [B, 3, S, S] in [−1, 1] with S the config's
    /// image size, or a multiple of it (then average-pooled down first) → L2-normalised [B, E].
    /// </summary>
    public Tensor ImageEmbeddings(Tensor images)
    {
        Tensor x = PoolToModelSize(images);                 // [B, 3, S, S]
        return Normalize(VisionModel.Forward(x));           // [B, E]
    }

    /// <summary>Text embeddings for training: a token batch → (L2-normalised [B, E], the tower's output).</summary>
    public (Tensor Embeddings, MiniClipTextOutput Output) TextEmbeddings(MiniClipTokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        MiniClipTextOutput output = TextModel.Forward(tokens.InputIds, tokens.EosPositions);
        return (Normalize(output.Projected), output);
    }

    /// <summary>Tokenizes captions with <see cref="Tokenizer"/> into a batch cut after its longest caption.</summary>
    public MiniClipTokenBatch Tokenize(IReadOnlyList<string> captions) =>
        MiniClipTokenBatch.Create(Tokenizer ?? throw new InvalidOperationException(
            "CLIP-mini: no tokenizer; load the model with MiniClip.Load(dir) (dir/tokenizer) or set Tokenizer."), captions, Config.ContextLength);

    /// <summary>Inference: images [B, 3, H, W] in [−1, 1] (H = W = image size or a multiple) → L2-normalised [B, E]. No gradients.</summary>
    public Tensor EncodeImages(Tensor images)
    {
        using var _ = Autograd.NoGrad();
        return ImageEmbeddings(images);
    }

    /// <summary>
    /// Inference: captions → (L2-normalised pooled embeddings [B, E], last hidden states [B, T, W] padded to the
    /// context length, with positions after each EOS zeroed, and the attention mask [B, T] as 0/1 floats). No gradients.
    /// </summary>
    public (Tensor Pooled, Tensor Tokens, Tensor Mask) EncodeText(IReadOnlyList<string> captions)
    {
        using var _ = Autograd.NoGrad();
        MiniClipTokenBatch batch = Tokenize(captions);
        var (embeddings, output) = TextEmbeddings(batch);
        int b = batch.Count, t = batch.Length, w = Config.TextWidth, context = Config.ContextLength;
        float[] hidden = output.LastHiddenState.ToFloatArray();   // [B, T, W]
        var tokens = new float[b * context * w];
        var mask = new float[b * context];
        for (int i = 0; i < b; i++)
        {
            int kept = batch.EosPositions[i] + 1;
            Array.Copy(hidden, i * t * w, tokens, i * context * w, kept * w);
            mask.AsSpan(i * context, kept).Fill(1f);
        }
        return (embeddings, Tensor.FromArray(tokens, [b, context, w]), Tensor.FromArray(mask, [b, context]));
    }

    int IMiniClipEncoder.EmbeddingDim => Config.EmbedDim;

    (Tensor States, Tensor Embeddings) IMiniClipEncoder.EncodeText(IReadOnlyList<string> captions)
    {
        var (pooled, tokens, _) = EncodeText(captions);
        return (tokens, pooled);
    }

    /// <summary>
    /// The symmetric InfoNCE loss of CLIP: logits = exp(s) · I Tᵀ [B, B]; mean of cross-entropy over rows
    /// (image → caption) and over columns (caption → image), the matching pair on the diagonal.
    /// Returns the loss and the logits (for accuracy metrics).
    /// </summary>
    public static (Tensor Loss, Tensor Logits) ContrastiveLoss(Tensor imageEmbeddings, Tensor textEmbeddings, Tensor temperature)
    {
        if (imageEmbeddings.Rank != 2 || textEmbeddings.Shape != imageEmbeddings.Shape)
            throw new TensorShapeException("clip_loss", $"image embeddings {imageEmbeddings.Shape}, text embeddings {textEmbeddings.Shape}", "two [B, E] matrices of the same shape");
        int b = imageEmbeddings.Shape[0];
        Tensor logits = imageEmbeddings.MatMul(textEmbeddings.Transpose(0, 1)) * temperature;   // [B, B]
        Tensor labels = Tensor.Arange(b, DType.I64);                                             // [B]
        Tensor loss = (Ops.CrossEntropy(logits, labels) + Ops.CrossEntropy(logits.Transpose(0, 1), labels)) * 0.5f;
        return (loss, logits);
    }

    // x [B, E] -> x / ‖x‖ [B, E]
    internal static Tensor Normalize(Tensor x) => x * ((x * x).Sum(1, keepDim: true) + 1e-12f).Rsqrt();

    // images [B, 3, kS, kS] -> [B, 3, S, S] by k×k means
    private Tensor PoolToModelSize(Tensor images)
    {
        int s = Config.ImageSize;
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != images.Shape[3] || images.Shape[2] % s != 0)
            throw new TensorShapeException("mini_clip_image", $"images {images.Shape}", $"[B, 3, H, H] RGB in [-1, 1] with H a multiple of {s}");
        int k = images.Shape[2] / s;
        if (k == 1) return images;
        int b = images.Shape[0];
        return images.Reshape(b, 3, s, k, s, k).Mean([3, 5]);   // [B, 3, S, S]
    }
}
