using Atelier.Tensors;

namespace Atelier.Tensors.Tests;

public class CoreTests
{
    [Fact]
    public void ShapeBasics()
    {
        Shape s = [2, 4, 16, 24];
        Assert.Equal(4, s.Rank);
        Assert.Equal(2L * 4 * 16 * 24, s.ElementCount);
        Assert.Equal(24, s[-1]);
        Assert.Equal(3, s.Axis(-1, "test"));
        Assert.Equal("[2, 4, 16, 24]", s.ToString());
        Assert.Equal(new Shape(2, 4, 16, 24), s);
        Assert.NotEqual(new Shape(2, 4, 16), s);
        Assert.Equal("[]", Shape.Scalar.ToString());
        Assert.Equal(1, Shape.Scalar.ElementCount);
        var ex = Assert.Throws<TensorShapeException>(() => s.Axis(4, "myop"));
        Assert.Contains("myop", ex.Message);
        Assert.Contains("[2, 4, 16, 24]", ex.Message);
        Assert.Throws<TensorShapeException>(() => new Shape(2, -1));
    }

    [Fact]
    public void FactoriesAndData()
    {
        var z = Tensor.Zeros([2, 3]);
        Assert.All(z.ToFloatArray(), v => Assert.Equal(0f, v));
        var o = Tensor.Ones([3], DType.I64);
        Assert.Equal([1L, 1, 1], o.ToArray<long>());
        var f = Tensor.Full([2, 2], 2.5, DType.F16);
        Assert.Equal([2.5f, 2.5f, 2.5f, 2.5f], f.ToFloatArray());
        var a = Tensor.Arange(5);
        Assert.Equal([0f, 1, 2, 3, 4], a.ToFloatArray());
        var b = Tensor.Arange(1, 2, 0.25);
        Assert.Equal([1f, 1.25f, 1.5f, 1.75f], b.ToFloatArray());
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6], [2, 3]);
        Assert.Equal(6f, x[1, 2]);
        Assert.Equal(4f, x[-1, 0]);
        Assert.Equal(3.5f, Tensor.Scalar(3.5f).Item());
        Assert.Throws<TensorShapeException>(() => x.Item());
        Assert.Throws<TensorShapeException>(() => Tensor.FromArray([1f, 2, 3], [2, 2]));
        Assert.Throws<TensorDTypeException>(() => x.ToArray<int>());
        var h = Tensor.FromArray([(Half)1.5f, (Half)(-2f)], [2]);
        Assert.Equal(DType.F16, h.DType);
        Assert.Equal([1.5f, -2f], h.ToFloatArray());
    }

    [Fact]
    public unsafe void ExternalStorageIsUsedInPlace()
    {
        var owner = new ushort[] { 0x3C00, 0xC000, 0x7C00, 0x0001 }; // f16: 1, -2, +inf, smallest subnormal
        fixed (ushort* p = owner)
        {
            var t = Tensor.FromExternal(p, DType.F16, [4], owner);
            Assert.True(t.IsExternal);
            Assert.Equal(DType.F16, t.DType);
            var v = t.ToFloatArray();
            Assert.Equal(1f, v[0]);
            Assert.Equal(-2f, v[1]);
            Assert.Equal(float.PositiveInfinity, v[2]);
            Assert.Equal((float)BitConverter.UInt16BitsToHalf(1), v[3]);
            owner[0] = 0x4000; // 2.0: the tensor sees the change, so no copy was made
            Assert.Equal(2f, t[0]);
        }
    }

    [Fact]
    public void CastRoundTrips()
    {
        var x = Tensor.FromArray([1.5f, -2.25f, 3.999f, 65504f], [4]);
        Assert.Equal([1.5f, -2.25f, (float)(Half)3.999f, 65504f], x.Cast(DType.F16).ToFloatArray());
        var bf = x.Cast(DType.BF16);
        Assert.Equal(DType.BF16, bf.DType);
        Assert.Equal([1.5f, -2.25f, 4f, 65536f], bf.ToFloatArray());
        Assert.Equal([1, -2, 3, 65504], x.Cast(DType.I32).ToArray<int>());
        var ids = Tensor.FromArray([3L, 7L], [2]);
        Assert.Equal([3f, 7f], ids.Cast(DType.F32).ToArray<float>());
    }
}
