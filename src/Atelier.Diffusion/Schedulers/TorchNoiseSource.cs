using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// Noise from a <see cref="TorchGenerator"/>: each draw is <c>torch.randn(shape, generator=g)</c> on CPU, as
/// diffusers' <c>randn_tensor</c> draws with a single generator, so a seeded pipeline reproduces diffusers' stochastic
/// schedulers value for value. (A list of per-sample generators is a different stream; implement
/// <see cref="INoiseSource"/> for that.)
/// </summary>
public sealed class TorchNoiseSource : INoiseSource
{
    public TorchNoiseSource(TorchGenerator generator) => Generator = generator ?? throw new ArgumentNullException(nameof(generator));

    public TorchGenerator Generator { get; }

    public Tensor Randn(Shape shape) => Tensor.FromArray(Generator.Randn(shape.ToArray()), shape);
}
