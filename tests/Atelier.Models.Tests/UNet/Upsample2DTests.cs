using Atelier.Models.UNet;
using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

public class Upsample2DTests
{
    /// <summary>
    /// With an identity 3x3 kernel the block is pure interpolation, which must equal PyTorch's nearest rule for an
    /// explicit output size, src = min(floor(dst · (float)in / out), in - 1), for every size a stride-2 downsampling
    /// leaves (out = 2·in or 2·in - 1), including the ×2 default.
    /// </summary>
    [Fact]
    public void Interpolation_to_the_skip_size_follows_pytorch_nearest()
    {
        var block = new Upsample2D(1);
        var kernel = new float[9];
        kernel[4] = 1;
        block.Conv.Weight.Value = UNetTestWeights.Pinned(kernel, [1, 1, 3, 3]);
        block.Conv.Bias!.Value = UNetTestWeights.Pinned([0f], [1]);
        for (int inH = 1; inH <= 12; inH++)
        {
            for (int inW = 1; inW <= 12; inW += 5)
            {
                foreach (var (outH, outW) in new[] { (2 * inH, 2 * inW), (2 * inH - 1, 2 * inW), (2 * inH, 2 * inW - 1), (2 * inH - 1, 2 * inW - 1) })
                {
                    using var scope = TensorScope.Begin();
                    float[] values = Enumerable.Range(0, inH * inW).Select(i => (float)i).ToArray();
                    Tensor x = Tensor.FromArray(values, [1, 1, inH, inW]);
                    float[] y = block.Forward(x, (outH, outW)).ToFloatArray();
                    Assert.Equal(outH * outW, y.Length);
                    for (int r = 0; r < outH; r++)
                        for (int c = 0; c < outW; c++)
                            Assert.True(values[Nearest(r, inH, outH) * inW + Nearest(c, inW, outW)] == y[r * outW + c],
                                $"{inH}x{inW} -> {outH}x{outW}: output ({r}, {c}) is {y[r * outW + c]}");
                }
            }
        }
    }

    [Fact]
    public void Sizes_a_downsampling_cannot_produce_are_refused()
    {
        var block = new Upsample2D(1);
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<TensorShapeException>(() => block.Forward(Tensor.Zeros([1, 1, 4, 4]), (5, 8)));
        Assert.Contains("asked to reach 5x8", ex.Message);
    }

    // PyTorch upsample_nearest2d with an output size: scale = (float)in / out, src = min(floor(dst * scale), in - 1).
    private static int Nearest(int dst, int inSize, int outSize) => Math.Min((int)MathF.Floor(dst * ((float)inSize / outSize)), inSize - 1);
}
