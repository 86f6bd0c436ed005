using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class GradientClippingTests
{
    [Fact]
    public void Norm_is_global_and_scale_brings_it_to_the_bound()
    {
        var model = TinyRegressor.Initialized(5);
        var parameters = new TrainableParameters(model);
        using (TensorScope.Begin())
        {
            // L = 3·Σ hidden.bias + 4·output.bias[0] → gradients 3 (×8) and 4: norm √(8·9 + 16) = √88.
            var loss = model.Hidden.Bias!.Value.Sum() * 3f + model.Output.Bias!.Value.Narrow(0, 0, 1).Sum() * 4f;
            loss.Backward();
        }
        var (norm, scale) = GradientClipping.Compute(parameters, 2f);
        Assert.Equal(MathF.Sqrt(88f), norm, 4);
        Assert.Equal(2f / MathF.Sqrt(88f), scale, 4);
        Assert.Equal(1f, GradientClipping.Compute(parameters, 100f).Scale);
    }

    [Fact]
    public void Non_finite_gradients_are_reported_by_name()
    {
        var model = TinyRegressor.Initialized(6);
        var parameters = new TrainableParameters(model);
        using (TensorScope.Begin())
            (model.Output.Bias!.Value * float.PositiveInfinity).Sum().Backward();
        var e = Assert.Throws<ArithmeticException>(() => GradientClipping.Compute(parameters, 1f));
        Assert.Contains("output.bias", e.Message);
    }
}
