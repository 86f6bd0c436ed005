using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Training.Tests.Trainer;

/// <summary>A two-layer regressor small enough to train in milliseconds (decayed weights, undecayed norms and biases).</summary>
internal sealed class TinyRegressor : Module
{
    public TinyRegressor(int inputs = 4, int hidden = 8, int outputs = 2)
    {
        Hidden = Add("hidden", new Linear(inputs, hidden));
        Norm = Add("norm", new LayerNorm(hidden));
        Output = Add("output", new Linear(hidden, outputs));
    }

    public Linear Hidden { get; }
    public LayerNorm Norm { get; }
    public Linear Output { get; }

    public static TinyRegressor Initialized(ulong seed)
    {
        var model = new TinyRegressor();
        Init.Default(model, new TorchGenerator(seed));
        return model;
    }

    // [B, inputs] -> [B, outputs]
    public Tensor Forward(Tensor x) => Output.Forward(Norm.Forward(Hidden.Forward(x)).Gelu());
}
