using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// A tensor a scheduler keeps between steps (PNDM's and DPM-Solver's history, LMS derivatives, Heun's first half).
/// Pipelines run each step inside a TensorScope that releases what the step allocated, so state is copied to a
/// managed array and turned back into a tensor (in the then-current scope) when used. Latents are small (4 x 64 x 64
/// floats for a 512 px image): the copies cost microseconds next to a UNet call.
/// </summary>
internal sealed class HeldTensor
{
    private readonly float[] _values;

    public HeldTensor(Tensor tensor)
    {
        _values = tensor.ToFloatArray();
        Shape = tensor.Shape;
    }

    public Shape Shape { get; }

    public Tensor ToTensor() => Tensor.FromArray(_values, Shape);
}
