namespace Atelier.Tensors;

/// <summary>
/// A tensor was used after its memory went back to the pool (its <see cref="TensorScope"/> ended and it was not
/// kept). Raised instead of reading recycled memory.
/// </summary>
public sealed class TensorReleasedException : ObjectDisposedException
{
    internal TensorReleasedException(Shape shape, DType dtype)
        : base(nameof(Tensor), $"a {dtype} tensor of shape {shape} was used after its TensorScope ended and its memory was returned to the pool; call scope.Keep(tensor) to use it after the scope")
    {
    }
}
