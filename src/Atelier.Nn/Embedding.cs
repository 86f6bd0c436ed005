using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>A lookup table [count, dim] indexed by integer ids (torch.nn.Embedding).</summary>
public sealed class Embedding : Module
{
    public Embedding(int count, int dim)
    {
        Count = count;
        Dim = dim;
        Weight = AddParameter("weight", [count, dim]);
    }

    public int Count { get; }
    public int Dim { get; }
    public Parameter Weight { get; }

    // ids [...] (I32/I64) -> [..., dim]
    public Tensor Forward(Tensor ids) => Ops.Embedding(ids, Weight.Value);
}
