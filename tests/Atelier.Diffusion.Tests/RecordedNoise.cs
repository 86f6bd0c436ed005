using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests;

/// <summary>
/// Plays back the noise tensors a fixture recorded for one step, in order, and fails the test when the scheduler
/// asks for more than were recorded or for another shape. <see cref="Remaining"/> lets a test check that the
/// scheduler drew exactly as often as diffusers did.
/// </summary>
internal sealed class RecordedNoise : INoiseSource
{
    private readonly Queue<(string Name, Tensor Tensor)> _tensors;
    private readonly string _context;

    public RecordedNoise(string context, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        _context = context;
        _tensors = new Queue<(string, Tensor)>(tensors);
    }

    public int Remaining => _tensors.Count;

    public IEnumerable<string> RemainingNames => _tensors.Select(t => t.Name);

    public Tensor Randn(Shape shape)
    {
        if (_tensors.Count == 0)
            Assert.Fail($"{_context}: the scheduler drew a noise tensor {shape} but diffusers drew no more here");
        var (name, tensor) = _tensors.Dequeue();
        Assert.True(tensor.Shape == shape, $"{_context}: the scheduler asked for noise {shape}; recorded {name} is {tensor.Shape}");
        return tensor;
    }
}
