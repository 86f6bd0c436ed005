namespace Atelier.Tensors.Kernels;

/// <summary>
/// Rows of a per-image matrix concatenated along depth over the batch: lane o, depth (n, j) reads
/// <c>data[n · imageStride + o · rowStride + j]</c> with j in [0, depthPerImage). Used for gradOut [N, O, P]
/// seen as [O, N·P] in the weight gradient. Each image's piece goes through <see cref="StridedPacker"/>.
/// </summary>
internal readonly unsafe struct BatchedRowsPacker : IGemmPacker
{
    private readonly float* _data;
    private readonly long _imageStride, _rowStride;
    private readonly int _depthPerImage;
    private readonly KernelIsa _isa;

    public BatchedRowsPacker(float* data, long imageStride, long rowStride, int depthPerImage, KernelIsa isa)
    {
        _data = data; _imageStride = imageStride; _rowStride = rowStride; _depthPerImage = depthPerImage; _isa = isa;
    }

    public void Pack(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        for (int q = 0; q * width < count; q++)
        {
            int lanes = Math.Min(width, count - q * width);
            float* panel = dst + (long)q * kc * width;
            for (int p = 0; p < kc;)
            {
                int d = k0 + p, n = d / _depthPerImage, j = d % _depthPerImage;
                int run = Math.Min(kc - p, _depthPerImage - j);
                var image = new StridedPacker(_data + n * _imageStride, DType.F32, _rowStride, 1, 1f, _isa);
                // One panel of `run` depth steps, written at its place inside this panel (rows p … p + run).
                image.Pack(lane0 + q * width, lanes, j, run, panel + (long)p * width, width);
                p += run;
            }
        }
    }
}
