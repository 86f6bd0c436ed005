using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// Where a scheduler step gets its Gaussian noise (DDPM, Euler ancestral, LCM, DDIM with eta &gt; 0, Euler with
/// s_churn &gt; 0). Schedulers never create randomness themselves: a pipeline passes the seeded PyTorch-compatible
/// generator (<see cref="TorchNoiseSource"/>), tests pass recorded noise. Each call is one <c>torch.randn</c>.
/// </summary>
public interface INoiseSource
{
    /// <summary>A float32 tensor of <paramref name="shape"/> with independent N(0, 1) values.</summary>
    Tensor Randn(Shape shape);
}
