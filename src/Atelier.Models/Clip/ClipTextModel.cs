using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

// CLIP text encoder: Radford et al. 2021, "Learning Transferable Visual Models From Natural Language Supervision".
// Reference implementation: transformers 4.45 CLIPTextModel / CLIPTextModelWithProjection (modeling_clip.py) as
// Stable Diffusion pipelines call it: input ids only, no attention mask (G4), pooled output at the end-of-text token
// (G6), clip skip read off the hidden states (G7). Differences: the attention op scales QKᵀ instead of q (float
// rounding only), and EncodePrompt stops after the layers it needs instead of running all of them.
// Shapes: B batch, N tokens (77), D hidden size, H heads, Dh = D / H, I intermediate size.

/// <summary>
/// The CLIP text transformer Stable Diffusion conditions on (SD 1.x: openai ViT-L/14, SD 2.x: OpenCLIP ViT-H/14 in
/// transformers layout), children named as transformers' state dict (<c>text_model.encoder.layers.N.self_attn.q_proj</c> …),
/// plus the optional <c>text_projection</c> of <c>CLIPTextModelWithProjection</c>.
/// </summary>
public sealed class ClipTextModel : Module
{
    /// <summary>The legacy eos_token_id of SD 1.x/2.x configs that selects argmax pooling (transformers modeling_clip.py, gotcha G6).</summary>
    private const int LegacyEosTokenId = 2;

    public ClipTextModel(ClipTextConfig config, bool withProjection = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.HiddenSize <= 0 || config.NumAttentionHeads <= 0 || config.HiddenSize % config.NumAttentionHeads != 0)
            throw new ArgumentException($"ClipTextConfig: hidden_size {config.HiddenSize} must be a positive multiple of num_attention_heads {config.NumAttentionHeads}.", nameof(config));
        if (config.NumHiddenLayers <= 0 || config.MaxPositionEmbeddings <= 0 || config.VocabSize <= 0 || config.IntermediateSize <= 0)
            throw new ArgumentException($"ClipTextConfig: num_hidden_layers {config.NumHiddenLayers}, max_position_embeddings {config.MaxPositionEmbeddings}, vocab_size {config.VocabSize} and intermediate_size {config.IntermediateSize} must all be positive.", nameof(config));
        Config = config;
        TextModel = Add("text_model", new ClipTextTransformer(config));
        if (withProjection)
            TextProjection = Add("text_projection", new Linear(config.HiddenSize, config.ProjectionDim, bias: false));
    }

    public ClipTextConfig Config { get; }
    public ClipTextTransformer TextModel { get; }

    /// <summary>CLIPTextModelWithProjection's Linear(D, projection_dim, no bias) on the pooled output; null for CLIPTextModel.</summary>
    public Linear? TextProjection { get; }

    /// <summary>
    /// Builds the model a text encoder component describes and loads its weights strictly (every missing,
    /// unexpected or mis-shaped tensor is named). Weights are used in place: fp16 files stay fp16. The projection is
    /// built when the config's <c>architectures</c> says CLIPTextModelWithProjection, or, when the config names no
    /// architecture, when the weights hold <c>text_projection.weight</c>.
    /// </summary>
    public static ClipTextModel Load(ModelComponent<ClipTextConfig> component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var weights = component.Weights.ToTensors();
        var architectures = component.Config.Architectures;
        bool withProjection = architectures is null
            ? weights.ContainsKey("text_projection.weight")
            : architectures.Contains("CLIPTextModelWithProjection");
        var model = new ClipTextModel(component.Config, withProjection);
        model.LoadWeights(weights, component.Weights.Description, IsPositionIds);
        return model;
    }

    /// <summary>The text encoder of an opened checkpoint (diffusers folder or single file).</summary>
    public static ClipTextModel Load(CheckpointSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Load(source.TextEncoder ?? throw new InvalidOperationException($"{source.Path}: the checkpoint has no text encoder."));
    }

    /// <summary>A diffusers/transformers component folder: <c>config.json</c> + <c>model[.variant].safetensors</c>.</summary>
    public static ClipTextModel FromPretrained(string folder, CheckpointOptions? options = null)
    {
        using var component = DiffusersComponents.OpenTextEncoder(folder, options);
        return Load(component);
    }

    /// <summary>
    /// Runs the whole tower. <paramref name="inputIds"/> [B, N] (I32 or I64, N ≤ max_position_embeddings) are used
    /// as given, padding included and unmasked, as SD pipelines do.
    /// </summary>
    public ClipTextOutput Forward(Tensor inputIds, bool outputHiddenStates = false)
    {
        CheckInputIds(inputIds);
        using var scope = TensorScope.Begin();
        var hiddenStates = outputHiddenStates ? new List<Tensor>(Config.NumHiddenLayers + 1) : null;
        Tensor x = TextModel.HiddenState(inputIds, Config.NumHiddenLayers, hiddenStates);   // [B, N, D]
        Tensor lastHiddenState = TextModel.FinalLayerNorm.Forward(x);                         // [B, N, D]
        Tensor pooled = Pool(lastHiddenState, inputIds);                                      // [B, D]
        Tensor? textEmbeds = TextProjection?.Forward(pooled);                                 // [B, P]
        if (hiddenStates is not null)
            foreach (var h in hiddenStates) scope.Keep(h);
        if (textEmbeds is not null) scope.Keep(textEmbeds);
        return new ClipTextOutput(scope.Keep(lastHiddenState), scope.Keep(pooled), hiddenStates, textEmbeds);
    }

    /// <summary>
    /// The prompt embeddings of diffusers' <c>encode_prompt</c> with <paramref name="clipSkip"/> (gotcha G7):
    /// 0 = last_hidden_state; k &gt; 0 = final_layer_norm(hidden_states[-(k + 1)]), the last k layers skipped (not run).
    /// A1111's "clip skip 2" is clipSkip 1. SD 2.x checkpoints already ship without their last layer: use 0 there.
    /// </summary>
    // input_ids [B, N] -> [B, N, D]
    public Tensor EncodePrompt(Tensor inputIds, int clipSkip = 0)
    {
        CheckInputIds(inputIds);
        if (clipSkip < 0 || clipSkip > Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), clipSkip, $"ClipTextModel.EncodePrompt: clip skip must be in [0, {Config.NumHiddenLayers}] for a {Config.NumHiddenLayers}-layer text encoder.");
        using var scope = TensorScope.Begin();
        Tensor x = TextModel.HiddenState(inputIds, Config.NumHiddenLayers - clipSkip);   // [B, N, D]
        return scope.Keep(TextModel.FinalLayerNorm.Forward(x));                           // [B, N, D]
    }

    /// <summary>
    /// The position pooled for each prompt (gotcha G6): with eos_token_id 2 (SD 1.x/2.x configs) or none, the legacy rule
    /// argmax(input_ids), i.e. the first end-of-text token, the highest id of CLIP's vocabulary; otherwise the first
    /// position holding eos_token_id, or 0 when a row has none (as transformers, whose argmax of an all-false row is 0).
    /// </summary>
    public int[] EosPositions(Tensor inputIds)
    {
        CheckInputIds(inputIds);
        int b = inputIds.Shape[0], n = inputIds.Shape[1];
        long[] ids = inputIds.DType == DType.I64 ? inputIds.ToArray<long>() : Array.ConvertAll(inputIds.ToArray<int>(), i => (long)i);
        int? eos = Config.EosTokenId;
        var positions = new int[b];
        for (int row = 0; row < b; row++)
        {
            ReadOnlySpan<long> r = ids.AsSpan(row * n, n);
            if (eos is null or LegacyEosTokenId)
            {
                int best = 0;
                for (int j = 1; j < n; j++)
                    if (r[j] > r[best]) best = j;
                positions[row] = best;
            }
            else
            {
                int found = r.IndexOf((long)eos.Value);
                positions[row] = found < 0 ? 0 : found;
            }
        }
        return positions;
    }

    // last_hidden_state [B, N, D] -> [B, D]
    private Tensor Pool(Tensor lastHiddenState, Tensor inputIds)
    {
        int[] positions = EosPositions(inputIds);
        var rows = new Tensor[positions.Length];
        for (int b = 0; b < positions.Length; b++)
            rows[b] = lastHiddenState.Select(0, b).Narrow(0, positions[b], 1);   // [1, D]
        return Ops.Concat(rows, 0);                                              // [B, D]
    }

    private void CheckInputIds(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.DType is not (DType.I32 or DType.I64))
            throw new TensorDTypeException("ClipTextModel", $"input_ids {inputIds.Shape} have dtype {inputIds.DType}", "I32 or I64 token ids");
        if (inputIds.Rank != 2 || inputIds.Shape[0] == 0 || inputIds.Shape[1] == 0 || inputIds.Shape[1] > Config.MaxPositionEmbeddings)
            throw new TensorShapeException("ClipTextModel", $"input_ids {inputIds.Shape}", $"[B, N] with B >= 1 and 1 <= N <= max_position_embeddings ({Config.MaxPositionEmbeddings})");
    }

    private static bool IsPositionIds(string name) => name == "text_model.embeddings.position_ids";
}
