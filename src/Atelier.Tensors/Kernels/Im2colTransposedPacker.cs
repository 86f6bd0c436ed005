using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// The transposed column matrix of one group over the whole batch, for the weight gradient
/// <c>gradW[o, (c, ky, kx)] = Σ_(n, y, x) gradOut[n, o, y, x] · col_n[(c, ky, kx), (y, x)]</c>: lanes are
/// (c, ky, kx), depth is (n, y, x). Vector path: 16 lanes x 16 pixels read as im2col rows
/// (<see cref="Im2colRun"/>) and transposed in registers.
/// </summary>
internal readonly unsafe struct Im2colTransposedPacker : IGemmPacker
{
    private readonly float* _input;   // channel 0 of this group in image 0
    private readonly long _imageStride; // C·H·W
    private readonly Conv2dGeometry _g;
    private readonly bool _vector512;

    public Im2colTransposedPacker(float* input, long imageStride, in Conv2dGeometry g, bool vector512)
    {
        _input = input; _imageStride = imageStride; _g = g;
        _vector512 = vector512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported;
    }

    public void Pack(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        for (int q = 0; q * width < count; q++)
        {
            int lanes = Math.Min(width, count - q * width);
            float* panel = dst + (long)q * kc * width;
            if (_vector512 && width % 16 == 0)
                PackPanel512(lane0 + q * width, lanes, k0, kc, panel, width);
            else
                PackScalar(lane0 + q * width, lanes, k0, 0, kc, panel, width);
        }
    }

    /// <summary>The definition: depth steps [p0, p1) one element at a time.</summary>
    private void PackScalar(int lane0, int count, int k0, int p0, int p1, float* dst, int width)
    {
        int ow = _g.OutW, pixels = _g.OutH * ow, khw = _g.KH * _g.KW;
        for (int p = p0; p < p1; p++)
        {
            int d = k0 + p, n = d / pixels, pixel = d % pixels, y = pixel / ow, x = pixel % ow;
            float* image = _input + n * _imageStride;
            float* row = dst + (long)p * width;
            for (int l = 0; l < count; l++)
            {
                int k = lane0 + l, c = k / khw, r = k % khw, ky = r / _g.KW, kx = r % _g.KW;
                int iy = y * _g.StrideH - _g.PadH + ky * _g.DilationH;
                int ix = x * _g.StrideW - _g.PadW + kx * _g.DilationW;
                row[l] = (uint)iy < (uint)_g.H && (uint)ix < (uint)_g.W ? image[((long)c * _g.H + iy) * _g.W + ix] : 0f;
            }
            for (int l = count; l < width; l++) row[l] = 0f;
        }
    }

    private void PackPanel512(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        int pixels = _g.OutH * _g.OutW, khw = _g.KH * _g.KW;
        float* block = stackalloc float[16 * 16];
        int p = 0;
        while (p < kc)
        {
            int d = k0 + p, n = d / pixels, pixel = d % pixels;
            int run = Math.Min(16, Math.Min(kc - p, pixels - pixel)); // stays inside one image
            if (run < 16)
            {
                PackScalar(lane0, count, k0, p, p + run, dst, width);
                p += run;
                continue;
            }
            var pixelsRun = new Im2colRun(_g, pixel, 16);
            float* image = _input + n * _imageStride;
            for (int group = 0; group < width; group += 16)
            {
                int lanes = Math.Clamp(count - group, 0, 16);
                for (int l = 0; l < lanes; l++)
                {
                    int k = lane0 + group + l, c = k / khw, r = k % khw;
                    pixelsRun.Load(image + (long)c * _g.H * _g.W, r / _g.KW, r % _g.KW).Store(block + l * 16);
                }
                for (int l = lanes; l < 16; l++) Vector512<float>.Zero.Store(block + l * 16);
                StridedPacker.Transpose16x16(block);
                for (int t = 0; t < 16; t++)
                    Vector512.Load(block + t * 16).Store(dst + (long)(p + t) * width + group);
            }
            p += 16;
        }
    }
}
