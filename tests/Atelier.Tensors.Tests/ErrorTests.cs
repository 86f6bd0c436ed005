namespace Atelier.Tensors.Tests;

/// <summary>Bad arguments throw before any memory is touched, naming the op, the shapes and what was expected.</summary>
public class ErrorTests
{
    private static void Throws<TException>(Action action, params string[] fragments) where TException : Exception
    {
        var ex = Assert.Throws<TException>(action);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        Assert.Contains("expected", ex.Message);
    }

    [Fact]
    public void ShapeErrorsNameOpAndShapes()
    {
        var a = Tensor.Zeros([2, 3]);
        Throws<TensorShapeException>(() => a.Mul(Tensor.Zeros([2, 4])), "mul", "[2, 3]", "[2, 4]");
        Throws<TensorShapeException>(() => a.Reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
        Throws<TensorShapeException>(() => a.Transpose(0, 2), "transpose", "[2, 3]");
        Throws<TensorShapeException>(() => a.Sum(2), "sum", "[2, 3]");
        Throws<TensorShapeException>(() => a.Softmax(5), "softmax", "[2, 3]");
        Throws<TensorShapeException>(() => a.Max(-3), "max", "[2, 3]");
        Throws<TensorShapeException>(() => a.Narrow(1, 2, 2), "narrow", "[2, 3]");
        Throws<TensorShapeException>(() => a.Expand(4, 3), "expand", "[2, 3]");
        Throws<TensorShapeException>(() => a.Split([1, 1], 1), "split", "[2, 3]");
        Throws<TensorShapeException>(() => Ops.Concat([a, Tensor.Zeros([3, 3])], 1), "concat", "[2, 3]", "[3, 3]");
        Throws<TensorShapeException>(() => a.Conv2d(Tensor.Zeros([1, 1, 3, 3])), "conv2d", "[2, 3]");
        Throws<TensorShapeException>(() => Tensor.Zeros([1, 2, 2, 2]).Conv2d(Tensor.Zeros([1, 2, 3, 3])), "conv2d", "[1, 2, 2, 2]", "[1, 2, 3, 3]");
        Throws<TensorShapeException>(() => a.UpsampleNearest(), "upsample_nearest", "[2, 3]");
        Throws<TensorShapeException>(() => a.Linear(Tensor.Zeros([4])), "linear", "[4]");
        Throws<TensorShapeException>(() => Tensor.Zeros([2, 6, 4]).GroupNorm(5), "group_norm", "[2, 6, 4]");
        Throws<TensorShapeException>(() => Ops.CrossEntropy(a, Tensor.Zeros([3], DType.I64)), "cross_entropy", "[2, 3]", "[3]");
        Throws<TensorShapeException>(() => a[2, 0].CompareTo(0f), "index", "[2, 3]");
        Throws<TensorShapeException>(() => Ops.Where(Tensor.Zeros([4], DType.Bool), a, a), "where", "[4]", "[2, 3]");
    }

    [Fact]
    public void IndexErrorsNameTheIndex()
    {
        var table = Tensor.Zeros([10, 4]);
        Throws<TensorShapeException>(() => Ops.Embedding(Tensor.FromArray([3L, 10L, 2L], [3]), table), "embedding", "id 10", "position 1", "10 rows");
        Throws<TensorShapeException>(() => Ops.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.FromArray([0L, -1L], [2])), "cross_entropy", "target -1");
        Throws<TensorShapeException>(() => table.Select(0, 10), "select", "index 10", "size 10");
    }

    [Fact]
    public void DTypeErrorsNameOpAndDType()
    {
        var ids = Tensor.Zeros([3], DType.I64);
        Throws<TensorDTypeException>(() => ids.Sigmoid(), "sigmoid", "I64");
        Throws<TensorDTypeException>(() => _ = ids + ids, "add", "I64");
        Throws<TensorDTypeException>(() => ids.MatMul(ids), "matmul", "I64");
        Throws<TensorDTypeException>(() => Ops.Embedding(Tensor.Zeros([3]), Tensor.Zeros([4, 2])), "embedding", "F32");
        Throws<TensorDTypeException>(() => Ops.Where(Tensor.Zeros([3]), Tensor.Zeros([3]), Tensor.Zeros([3])), "where", "F32");
        Throws<TensorDTypeException>(() => Ops.Concat([ids, Tensor.Zeros([3])]), "concat", "I64", "F32");
        Throws<TensorDTypeException>(() => Ops.AddInPlace(Tensor.Zeros([3]).Cast(DType.F16), Tensor.Zeros([3])), "add_", "F16");
    }
}
