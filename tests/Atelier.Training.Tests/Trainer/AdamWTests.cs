using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class AdamWTests
{
    private sealed class TwoParameters : Module
    {
        public TwoParameters()
        {
            Layer = Add("layer", new Linear(2, 1));
        }

        public Linear Layer { get; }
    }

    // Sets dL/dθ = c by back-propagating L = Σ θ·c.
    private static void SetGradient(Parameter p, float[] c)
    {
        using var scope = TensorScope.Begin();
        (p.Value * Tensor.FromArray(c, p.Shape)).Sum().Backward();
    }

    [Fact]
    public void Two_steps_match_the_algorithm_computed_by_hand()
    {
        var model = new TwoParameters();
        model.Layer.Weight.Value = Tensor.FromArray([1f, -2f], [1, 2]);
        model.Layer.Bias!.Value = Tensor.FromArray([0.5f], [1]);
        var parameters = new TrainableParameters(model);
        var options = new AdamWOptions { Beta1 = 0.9f, Beta2 = 0.99f, Epsilon = 1e-3f, WeightDecay = 0.1f };
        var adam = new AdamW(parameters, options, WeightDecayPolicy.LinearAndConvWeights(model));
        Assert.True(adam.IsDecayed("layer.weight"));
        Assert.False(adam.IsDecayed("layer.bias"));

        float[][] weightGrads = [[0.5f, -0.1f], [-0.2f, 0.3f]];
        float[][] biasGrads = [[2f], [1f]];
        float[] lrs = [0.1f, 0.05f];

        double[] w = [1, -2], b = [0.5];
        double[] mw = new double[2], vw = new double[2], mb = new double[1], vb = new double[1];
        for (int t = 1; t <= 2; t++)
        {
            SetGradient(model.Layer.Weight, weightGrads[t - 1]);
            SetGradient(model.Layer.Bias!, biasGrads[t - 1]);
            adam.Step(lrs[t - 1]);
            adam.ZeroGrad();
            Reference(w, weightGrads[t - 1], mw, vw, t, lrs[t - 1], decay: 0.1);
            Reference(b, biasGrads[t - 1], mb, vb, t, lrs[t - 1], decay: 0);
        }

        float[] gotW = model.Layer.Weight.Value.ToFloatArray();
        float[] gotB = model.Layer.Bias!.Value.ToFloatArray();
        for (int i = 0; i < 2; i++) Assert.Equal(w[i], gotW[i], 5);
        Assert.Equal(b[0], gotB[0], 5);

        static void Reference(double[] theta, float[] g, double[] m, double[] v, int t, double lr, double decay)
        {
            const double beta1 = 0.9, beta2 = 0.99, eps = 1e-3;
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] -= lr * decay * theta[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
    }

    [Fact]
    public void First_step_moves_each_weight_by_about_the_learning_rate_against_its_gradient_sign()
    {
        var model = new TwoParameters();
        model.Layer.Weight.Value = Tensor.FromArray([0f, 0f], [1, 2]);
        model.Layer.Bias!.Value = Tensor.FromArray([0f], [1]);
        var parameters = new TrainableParameters(model);
        var adam = new AdamW(parameters, new AdamWOptions());
        SetGradient(model.Layer.Weight, [3f, -0.01f]);
        SetGradient(model.Layer.Bias!, [1e-4f]);
        adam.Step(0.01f);
        Assert.Equal([-0.01f, 0.01f], model.Layer.Weight.Value.ToFloatArray(), (a, e) => Math.Abs(a - e) < 1e-5);
        Assert.Equal(-0.01f, model.Layer.Bias!.Value.ToFloatArray()[0], 4);
    }

    [Fact]
    public void Gradient_scale_multiplies_the_gradient_before_the_moments()
    {
        var a = Run(scale: 0.5f, gradient: 2f);
        var b = Run(scale: 1f, gradient: 1f);
        Assert.Equal(b, a);

        static float[] Run(float scale, float gradient)
        {
            var model = new TwoParameters();
            model.Layer.Weight.Value = Tensor.FromArray([1f, 1f], [1, 2]);
            model.Layer.Bias!.Value = Tensor.FromArray([1f], [1]);
            var adam = new AdamW(new TrainableParameters(model), new AdamWOptions { Epsilon = 0.5f });
            for (int i = 0; i < 3; i++)
            {
                SetGradient(model.Layer.Weight, [gradient, -gradient]);
                adam.Step(0.1f, scale);
                adam.ZeroGrad();
            }
            return model.Layer.Weight.Value.ToFloatArray();
        }
    }

    [Fact]
    public void Parameters_without_gradient_are_left_alone()
    {
        var model = new TwoParameters();
        model.Layer.Weight.Value = Tensor.FromArray([1f, 2f], [1, 2]);
        model.Layer.Bias!.Value = Tensor.FromArray([3f], [1]);
        var adam = new AdamW(new TrainableParameters(model), new AdamWOptions { WeightDecay = 0.5f }, WeightDecayPolicy.LinearAndConvWeights(model));
        SetGradient(model.Layer.Bias!, [1f]);
        adam.Step(0.1f);
        Assert.Equal([1f, 2f], model.Layer.Weight.Value.ToFloatArray());
        Assert.NotEqual(3f, model.Layer.Bias!.Value.ToFloatArray()[0]);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        var parameters = new TrainableParameters(TinyRegressor.Initialized(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(parameters, new AdamWOptions { Beta1 = 1f }));
        var adam = new AdamW(parameters, new AdamWOptions());
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.Step(float.NaN));
    }

    [Fact]
    public void Training_refuses_a_model_with_uninitialised_parameters()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new TrainableParameters(new TinyRegressor()));
        Assert.Contains("hidden.weight", e.Message);
    }
}
