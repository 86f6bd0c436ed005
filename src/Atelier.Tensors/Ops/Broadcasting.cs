namespace Atelier.Tensors;

/// <summary>NumPy broadcasting: shapes are aligned at their last dimension; each pair of sizes must be equal or one of them 1.</summary>
internal static class Broadcasting
{
    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>, or a <see cref="TensorShapeException"/> naming <paramref name="op"/>.</summary>
    public static Shape Shape(string op, Shape a, Shape b)
    {
        if (a == b) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new TensorShapeException(op, $"shapes {a} and {b} are not broadcastable (sizes {da} and {db} at aligned dimension {i - rank})", "equal sizes or 1 in every dimension, aligned from the last");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>Strides that read <paramref name="t"/> as if expanded to <paramref name="shape"/> (0 along broadcast dimensions).</summary>
    public static long[] Strides(Tensor t, Shape shape)
    {
        int rank = shape.Rank, lead = rank - t.Rank;
        var strides = new long[rank];
        for (int i = lead; i < rank; i++)
            strides[i] = t.Shape.Dims[i - lead] == 1 && shape.Dims[i] != 1 ? 0 : t.Strides[i - lead];
        return strides;
    }

    /// <summary>
    /// The gradient of a broadcast: <paramref name="grad"/> (of the broadcast shape) summed over the dimensions
    /// that were broadcast, so it has <paramref name="shape"/> again.
    /// </summary>
    public static Tensor SumTo(Tensor grad, Shape shape)
    {
        if (grad.Shape == shape) return grad;
        int lead = grad.Rank - shape.Rank;
        var dims = new List<int>();
        for (int i = 0; i < grad.Rank; i++)
            if (i < lead || (shape.Dims[i - lead] == 1 && grad.Shape.Dims[i] != 1)) dims.Add(i);
        Tensor summed = dims.Count == 0 ? grad : Ops.Sum(grad, dims.ToArray(), keepDim: true);
        return summed.Reshape(shape);
    }
}
