namespace Atelier.Tensors.Kernels;

/// <summary>
/// The column matrix of a whole batch for one group, as GEMM B panels: lane l is output pixel l % P of image
/// l / P (P = OH·OW), so one GEMM per group covers every image and the weights are packed once instead of once
/// per image. Each panel is packed by the single-image packer (<see cref="Im2colPacker"/>, or the input plane
/// itself for pointwise convolutions), so the packed values are exactly those of the per-image path.
/// </summary>
/// <remarks>P must be a multiple of the panel width: a panel then never straddles two images.</remarks>
internal readonly unsafe struct Conv2dBatchPacker : IGemmPacker
{
    private readonly float* _input;   // [N, C, H, W]; this group's channels start at _input
    private readonly Conv2dGeometry _g;
    private readonly KernelIsa _isa;
    private readonly bool _pointwise;

    public Conv2dBatchPacker(float* groupInput, in Conv2dGeometry g, KernelIsa isa, bool pointwise)
    {
        _input = groupInput; _g = g; _isa = isa; _pointwise = pointwise;
    }

    public void Pack(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        int pixels = _g.OutH * _g.OutW;
        if (pixels % width != 0)
            throw new ArgumentException($"conv2d batch packer: {pixels} output pixels per image are not a multiple of the panel width {width}.");
        long imageStride = (long)_g.C * _g.H * _g.W;
        // Runs of whole panels within one image, each packed by one call (its natural memory order).
        for (int done = 0; done < count;)
        {
            int lane = lane0 + done, image = lane / pixels, pixel = lane % pixels;
            int lanes = Math.Min(count - done, pixels - pixel);
            float* source = _input + image * imageStride;
            float* panels = dst + (long)(done / width) * kc * width;
            if (_pointwise)
                new StridedPacker(source, DType.F32, 1, pixels, 1f, _isa).Pack(pixel, lanes, k0, kc, panels, width);
            else
                new Im2colPacker(source, _g, _isa == KernelIsa.Vector512).Pack(pixel, lanes, k0, kc, panels, width);
            done += lanes;
        }
    }
}
