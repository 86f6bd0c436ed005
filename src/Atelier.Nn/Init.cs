using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Initial values for training, drawn from a seeded <see cref="TorchGenerator"/>. <see cref="Default"/> applies
/// PyTorch's <c>reset_parameters</c> of each built-in layer (torch/nn/modules/linear.py, conv.py, normalization.py,
/// sparse.py); models add their own rules for parameters they register themselves (class embeddings, positional
/// embeddings, temperatures) with <see cref="Normal"/>, <see cref="Uniform"/> and <see cref="Constant"/>.
/// </summary>
/// <remarks>
/// Every value is a fresh contiguous F32 tensor. Call these outside any <see cref="TensorScope"/>: a value created
/// inside a scope would be released when the scope ends.
/// </remarks>
public static class Init
{
    /// <summary>
    /// PyTorch's default initialisation of every <see cref="Linear"/>, <see cref="Conv2d"/>, <see cref="LayerNorm"/>,
    /// <see cref="GroupNorm"/> and <see cref="Embedding"/> under <paramref name="root"/>, depth first in registration
    /// order (the order PyTorch constructs, hence initialises, the same modules). Parameters of other modules are
    /// left as they are.
    /// </summary>
    public static void Default(Module root, TorchGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(generator);
        switch (root)
        {
            case Linear linear:
                // kaiming_uniform_(a=√5): gain √(2/(1+5)) · √3 / √fan_in = 1/√fan_in; bias uniform(±1/√fan_in).
                KaimingUniformWithBias(linear.Weight, linear.Bias, linear.InFeatures, generator);
                break;
            case Conv2d conv:
                KaimingUniformWithBias(conv.Weight, conv.Bias, conv.InChannels / conv.Groups * conv.KernelSize * conv.KernelSize, generator);
                break;
            case LayerNorm norm:
                if (norm.Weight is not null) Constant(norm.Weight, 1f);
                if (norm.Bias is not null) Constant(norm.Bias, 0f);
                break;
            case GroupNorm norm:
                if (norm.Weight is not null) Constant(norm.Weight, 1f);
                if (norm.Bias is not null) Constant(norm.Bias, 0f);
                break;
            case Embedding embedding:
                Normal(embedding.Weight, generator, 0, 1);
                break;
        }
        foreach (var (_, child) in root.Children)
            Default(child, generator);
    }

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>) (torch.nn.init.uniform_).</summary>
    public static void Uniform(Parameter parameter, TorchGenerator generator, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!(low <= high))
            throw new ArgumentException($"Init.Uniform of '{parameter.Name}': low {low} is above high {high}.");
        var values = new float[checked((int)parameter.Shape.ElementCount)];
        generator.Rand(values);
        float width = high - low;
        for (int i = 0; i < values.Length; i++)
            values[i] = low + width * values[i];
        parameter.Value = Tensor.FromArray(values, parameter.Shape);
    }

    /// <summary>Normal values N(<paramref name="mean"/>, <paramref name="std"/>²) (torch.nn.init.normal_).</summary>
    public static void Normal(Parameter parameter, TorchGenerator generator, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!(std >= 0))
            throw new ArgumentException($"Init.Normal of '{parameter.Name}': standard deviation {std} is negative or NaN.");
        var values = new float[checked((int)parameter.Shape.ElementCount)];
        generator.Normal(values, mean, std);
        parameter.Value = Tensor.FromArray(values, parameter.Shape);
    }

    /// <summary>Every element set to <paramref name="value"/> (torch.nn.init.constant_).</summary>
    public static void Constant(Parameter parameter, float value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Value = Tensor.Full(parameter.Shape, value);
    }

    private static void KaimingUniformWithBias(Parameter weight, Parameter? bias, int fanIn, TorchGenerator generator)
    {
        if (fanIn <= 0)
            throw new ArgumentException($"Init: '{weight.Name}' {weight.Shape} has fan-in {fanIn}; cannot scale its initial values.");
        float bound = 1f / MathF.Sqrt(fanIn);
        Uniform(weight, generator, -bound, bound);
        if (bias is not null)
            Uniform(bias, generator, -bound, bound);
    }
}
