using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>What the text tower returns.</summary>
/// <param name="LastHiddenState">[B, T, D]: every position after the final LayerNorm (context tokens for a decoder).</param>
/// <param name="Pooled">[B, D]: the EOS position of each caption.</param>
/// <param name="Projected">[B, E]: the pooled state in the joint space, not yet normalised.</param>
public sealed record MiniClipTextOutput(Tensor LastHiddenState, Tensor Pooled, Tensor Projected);
