using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Implicit im2col for one image and one group: packs GEMM panels of the column matrix
/// <c>col[(c, ky, kx), (y, x)] = input[c, y·sh − ph + ky·dh, x·sw − pw + kx·dw]</c> (0 outside the image)
/// straight from the NCHW input, so the full [C·KH·KW, OH·OW] matrix never exists. Lanes are output
/// pixels (y, x) in row-major order; depth is (c, ky, kx), the weight's own order.
/// </summary>
/// <remarks>
/// 16 lanes at a time: when they lie in one output row and stride is 1 they are 16 adjacent input floats,
/// read with one masked load (padding lanes masked, which also suppresses faults); otherwise two masked
/// gathers. The scalar loop is the definition and the fallback.
/// </remarks>
internal readonly unsafe struct Im2colPacker : IGemmPacker
{
    private readonly float* _input; // [cg, H, W] of this image and group
    private readonly Conv2dGeometry _g;
    private readonly bool _vector512;

    public Im2colPacker(float* input, in Conv2dGeometry g, bool vector512)
    {
        _input = input; _g = g;
        _vector512 = vector512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported;
    }

    public void Pack(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        for (int q = 0; q * width < count; q++)
        {
            int lanes = Math.Min(width, count - q * width);
            float* panel = dst + (long)q * kc * width;
            if (_vector512 && width % 16 == 0)
                for (int group = 0; group < width; group += 16)
                    PackGroup512(lane0 + q * width + group, Math.Clamp(lanes - group, 0, 16), k0, kc, panel + group, width);
            else
                PackScalar(lane0 + q * width, lanes, k0, kc, panel, width);
        }
    }

    /// <summary>The definition: one element at a time.</summary>
    private void PackScalar(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        int ow = _g.OutW, khw = _g.KH * _g.KW;
        for (int p = 0; p < kc; p++)
        {
            int k = k0 + p, c = k / khw, r = k % khw, ky = r / _g.KW, kx = r % _g.KW;
            float* plane = _input + (long)c * _g.H * _g.W;
            float* row = dst + (long)p * width;
            for (int l = 0; l < count; l++)
            {
                int pixel = lane0 + l, y = pixel / ow, x = pixel % ow;
                int iy = y * _g.StrideH - _g.PadH + ky * _g.DilationH;
                int ix = x * _g.StrideW - _g.PadW + kx * _g.DilationW;
                row[l] = (uint)iy < (uint)_g.H && (uint)ix < (uint)_g.W ? plane[(long)iy * _g.W + ix] : 0f;
            }
            for (int l = count; l < width; l++) row[l] = 0f;
        }
    }

    /// <summary>16 lanes (pixels lane0 …) into columns [0, 16) of each panel row at dst.</summary>
    private void PackGroup512(int lane0, int lanes, int k0, int kc, float* dst, int width)
    {
        if (lanes == 0)
        {
            for (int p = 0; p < kc; p++) Vector512<float>.Zero.Store(dst + (long)p * width);
            return;
        }
        var run = new Im2colRun(_g, lane0, lanes);
        int khw = _g.KH * _g.KW;
        int c = k0 / khw, r = k0 % khw, ky = r / _g.KW, kx = r % _g.KW;
        for (int p = 0; p < kc; p++)
        {
            run.Load(_input + (long)c * _g.H * _g.W, ky, kx).Store(dst + (long)p * width);
            if (++kx == _g.KW) { kx = 0; if (++ky == _g.KH) { ky = 0; c++; } }
        }
    }
}
