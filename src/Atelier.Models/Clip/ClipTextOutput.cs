using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>What <see cref="ClipTextModel.Forward"/> returns (the fields of transformers' <c>BaseModelOutputWithPooling</c>).</summary>
/// <param name="LastHiddenState">[B, N, D] final_layer_norm(hidden_states[-1]): the prompt embeddings SD feeds the UNet.</param>
/// <param name="PooledOutput">[B, D] last_hidden_state at each prompt's end-of-text position.</param>
/// <param name="HiddenStates">
/// Null unless requested: layers + 1 tensors [B, N, D], [0] = embeddings, [i] = output of layer i (no final LayerNorm).
/// </param>
/// <param name="TextEmbeds">[B, projection_dim] text_projection(pooled) for CLIPTextModelWithProjection; otherwise null.</param>
public sealed record ClipTextOutput(Tensor LastHiddenState, Tensor PooledOutput, IReadOnlyList<Tensor>? HiddenStates, Tensor? TextEmbeds);
