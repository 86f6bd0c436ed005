using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class EmaTests
{
    [Fact]
    public void Average_follows_the_warmed_up_decay()
    {
        var model = TinyRegressor.Initialized(3);
        var parameters = new TrainableParameters(model);
        var ema = new Ema(parameters, decay: 0.5f);
        float start = ema.Weights()["output.bias"].ToFloatArray()[0];

        // Update 0 uses min(0.5, 1/10) = 0.1: 90 % of the way to the new value.
        Assert.Equal(0.1f, ema.CurrentDecay, 6);
        model.Output.Bias!.Value = Tensor.Full(model.Output.Bias.Shape, start + 10).RequireGrad();
        ema.Update();
        Assert.Equal(start + 9f, ema.Weights()["output.bias"].ToFloatArray()[0], 4);

        // Update 1: min(0.5, 2/11); update 9: min(0.5, 10/19) = 0.5.
        Assert.Equal(2f / 11f, ema.CurrentDecay, 6);
        for (int i = 1; i < 9; i++) ema.Update();
        Assert.Equal(0.5f, ema.CurrentDecay, 6);
        Assert.Equal(9, ema.Updates);
    }

    [Fact]
    public void Weights_are_copies_not_the_live_parameters()
    {
        var model = TinyRegressor.Initialized(4);
        var ema = new Ema(new TrainableParameters(model), 0.9f);
        Assert.False(ema.Weights()["hidden.weight"].SharesStorageWith(model.Hidden.Weight.Value));
        Assert.Equal(model.Hidden.Weight.Value.ToFloatArray(), ema.Weights()["hidden.weight"].ToFloatArray());
    }
}
