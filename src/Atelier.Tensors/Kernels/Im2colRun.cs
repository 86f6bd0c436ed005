using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Up to 16 consecutive output pixels of a convolution and the input values they see through one kernel tap
/// (ky, kx) of one channel plane: a row of the im2col matrix, 16 wide. Lanes past the run are zero.
/// </summary>
internal readonly unsafe struct Im2colRun
{
    private readonly Vector512<int> _baseY, _baseX; // input coordinates before the tap offset
    private readonly Vector512<int> _height, _width;
    private readonly int _dilationH, _dilationW, _w;
    private readonly long _start; // contiguous runs: offset of lane 0 before the tap offset
    private readonly bool _contiguous;

    public Im2colRun(in Conv2dGeometry g, int pixel0, int lanes)
    {
        int ow = g.OutW;
        int* baseY = stackalloc int[16];
        int* baseX = stackalloc int[16];
        for (int l = 0; l < 16; l++)
        {
            int pixel = pixel0 + Math.Min(l, lanes - 1), y = pixel / ow, x = pixel % ow;
            baseY[l] = l < lanes ? y * g.StrideH - g.PadH : int.MinValue / 2; // never in bounds
            baseX[l] = x * g.StrideW - g.PadW;
        }
        _baseY = Vector512.Load(baseY);
        _baseX = Vector512.Load(baseX);
        _height = Vector512.Create(g.H);
        _width = Vector512.Create(g.W);
        _dilationH = g.DilationH; _dilationW = g.DilationW; _w = g.W;
        _contiguous = pixel0 / ow == (pixel0 + lanes - 1) / ow && g.StrideW == 1;
        _start = (long)baseY[0] * g.W + baseX[0];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load(float* plane, int ky, int kx)
    {
        var iy = _baseY + Vector512.Create(ky * _dilationH);
        var ix = _baseX + Vector512.Create(kx * _dilationW);
        // In bounds: 0 <= iy < H and 0 <= ix < W, as unsigned compares.
        var valid = Vector512.LessThan(iy.AsUInt32(), _height.AsUInt32()) & Vector512.LessThan(ix.AsUInt32(), _width.AsUInt32());
        if (_contiguous)
        {
            // One output row at stride 1: lane l reads plane[start + l]; masked lanes (padding) are not read.
            long start = _start + (long)ky * _dilationH * _w + kx * _dilationW;
            return Avx512F.MaskLoad(plane + start, valid.AsSingle(), Vector512<float>.Zero);
        }
        var index = iy * _width + ix;
        var lo = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, index.GetLower(), valid.GetLower().AsSingle(), 4);
        var hi = Avx2.GatherMaskVector256(Vector256<float>.Zero, plane, index.GetUpper(), valid.GetUpper().AsSingle(), 4);
        return Vector512.Create(lo, hi);
    }
}
