using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// The transformer block's position-wise MLP (diffusers <c>FeedForward</c> with <c>activation_fn="geglu"</c>):
/// <c>net.0</c> = GEGLU to 4·dim, <c>net.1</c> = dropout (identity at inference, no weights), <c>net.2</c> = Linear back to dim.
/// </summary>
public sealed class FeedForward : Module
{
    // diffusers FeedForward(mult=4).
    private const int Mult = 4;

    public FeedForward(int dim)
    {
        int inner = dim * Mult;
        Net = Add("net", new FeedForwardLayers(new Geglu(dim, inner), new Linear(inner, dim)));
    }

    public FeedForwardLayers Net { get; }

    // [B, N, dim], residual [B, N, dim] (added to the output; null: none) -> [B, N, dim]
    public Tensor Forward(Tensor x, Tensor? residual = null)
    {
        using var scope = TensorScope.Begin();
        Tensor h = Net.Geglu.Forward(x);                                      // [B, N, 4·dim]
        return scope.Keep(residual is null ? Net.Out.Forward(h) : Net.Out.Forward(h, residual));
    }

    /// <summary>The <c>net</c> sequence: index 0 GEGLU, 1 dropout (no weights, not registered), 2 Linear.</summary>
    public sealed class FeedForwardLayers : Module
    {
        internal FeedForwardLayers(Geglu geglu, Linear output)
        {
            Geglu = Add("0", geglu);
            Out = Add("2", output);
        }

        public Geglu Geglu { get; }
        public Linear Out { get; }
    }
}
