using Atelier.Tensors;

namespace Atelier.Models;

/// <summary>
/// Runs a piece of a forward pass in its own <see cref="TensorScope"/> and keeps only its result, so the
/// temporaries (norm outputs, activations, attention projections) go back to the pool as soon as the piece is done
/// rather than when the whole model returns. This is what bounds the peak memory of a VAE decode.
/// </summary>
internal static class Scoped
{
    public static Tensor Run(Func<Tensor> compute)
    {
        using var scope = TensorScope.Begin();
        return scope.Keep(compute());
    }
}
