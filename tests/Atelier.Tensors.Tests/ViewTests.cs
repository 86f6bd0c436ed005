using Atelier.Tensors;

namespace Atelier.Tensors.Tests;

public class ViewTests
{
    private static Tensor Iota(params int[] dims) => Tensor.Arange(new Shape(dims).ElementCount > 0 ? (int)new Shape(dims).ElementCount : 0).Reshape(dims);

    [Fact]
    public void ViewsShareStorage()
    {
        var x = Iota(2, 3, 4);
        Assert.True(x.Reshape(6, 4).SharesStorageWith(x));
        Assert.True(x.Permute(2, 0, 1).SharesStorageWith(x));
        Assert.True(x.Transpose(0, 2).SharesStorageWith(x));
        Assert.True(x.Narrow(1, 1, 2).SharesStorageWith(x));
        Assert.True(x.Select(0, 1).SharesStorageWith(x));
        Assert.True(x.Unsqueeze(0).SharesStorageWith(x));
        Assert.True(x.Unsqueeze(0).Squeeze(0).SharesStorageWith(x));
        Assert.True(x.Narrow(0, 0, 1).Expand(5, 3, 4).SharesStorageWith(x));
        Assert.True(x.Flatten().SharesStorageWith(x));
        Assert.All(x.Chunk(2, 2), c => Assert.True(c.SharesStorageWith(x)));
    }

    [Fact]
    public void ContiguousOfPermutedViewEqualsReferenceTranspose()
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 5), (33, 17), (64, 40), (100, 7) })
        {
            var x = Iota(2, rows, cols);
            var t = x.Transpose(1, 2);
            Assert.False(rows > 1 && cols > 1 && t.IsContiguous);
            var c = t.Contiguous();
            Assert.True(c.IsContiguous);
            var v = c.ToFloatArray();
            for (int b = 0; b < 2; b++)
                for (int i = 0; i < cols; i++)
                    for (int j = 0; j < rows; j++)
                        Assert.Equal((b * rows + j) * cols + i, v[(b * cols + i) * rows + j]);
        }
        var y = Iota(2, 3, 4, 5).Permute(3, 1, 0, 2).Contiguous().ToFloatArray();
        int k = 0;
        for (int d3 = 0; d3 < 5; d3++)
            for (int d1 = 0; d1 < 3; d1++)
                for (int d0 = 0; d0 < 2; d0++)
                    for (int d2 = 0; d2 < 4; d2++)
                        Assert.Equal(((d0 * 3 + d1) * 4 + d2) * 5 + d3, y[k++]);
    }

    [Fact]
    public void ReshapeViewsWhenPossibleAndCopiesOtherwise()
    {
        var x = Iota(4, 6);
        var t = x.T;                           // [6, 4], strided
        Assert.Throws<TensorShapeException>(() => t.View(24));
        var r = t.Reshape(24);                 // needs a copy
        Assert.False(r.SharesStorageWith(x));
        Assert.Equal(x.T.Contiguous().ToFloatArray(), r.ToFloatArray());
        var s = x.Narrow(0, 1, 2);             // rows 1..2: contiguous block
        Assert.True(s.View(3, 4).SharesStorageWith(x));
        Assert.Equal([6f, 7, 8, 9], s.View(3, 4).Select(0, 0).ToFloatArray());
        var p = Iota(2, 3, 4).Permute(1, 0, 2);   // [3, 2, 4], strides [4, 12, 1]
        Assert.True(p.View(3, 2, 2, 2).SharesStorageWith(p));   // splitting a dimension is always a view
        Assert.Equal(p.Contiguous().ToFloatArray(), p.View(3, 2, 2, 2).ToFloatArray());
        Assert.Throws<TensorShapeException>(() => p.View(3, 8));  // merging dims 1 and 2 is not (12 != 4 * 1)
        Assert.Equal(p.Contiguous().ToFloatArray(), p.Reshape(3, 8).ToFloatArray());
        Assert.Equal(new Shape(2, 12), Iota(2, 3, 4).Reshape(2, -1).Shape);
        Assert.Throws<TensorShapeException>(() => x.Reshape(5, -1));
    }

    [Fact]
    public void SliceSelectExpand()
    {
        var x = Iota(3, 5);
        Assert.Equal([6f, 8f], x.Slice(1, 1, 5, 2).Select(0, 1).ToFloatArray());
        Assert.Equal([10f, 11, 12, 13, 14], x.Select(0, -1).ToFloatArray());
        var e = Iota(3).Reshape(3, 1).Expand(3, 4);
        Assert.Equal([0f, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], e.ToFloatArray());
        Assert.Equal(0L, e.Strides[1]);
        var ex = Assert.Throws<TensorShapeException>(() => Iota(3, 2).Expand(3, 4));
        Assert.Contains("expand", ex.Message);
        Assert.Throws<TensorShapeException>(() => x.Narrow(1, 3, 3));
        Assert.Throws<TensorShapeException>(() => x.Select(0, 3));
        Assert.Throws<TensorShapeException>(() => x.Permute(0, 0));
        Assert.Throws<TensorShapeException>(() => x.Squeeze(0));
        var parts = Iota(7).Split(3);
        Assert.Equal([3, 3, 1], parts.Select(p => p.Shape[0]).ToArray());
        Assert.Equal([6f], parts[2].ToFloatArray());
    }
}
