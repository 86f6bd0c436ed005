namespace Atelier.Tensors.Kernels;

/// <summary>
/// Shape of a 2-D convolution. Input [N, C, H, W], weight [O, C/Groups, KH, KW], output [N, O, OutH, OutW],
/// all contiguous (NCHW) float32 except the weight, which may be F16/BF16.
/// </summary>
internal readonly record struct Conv2dGeometry(
    int N, int C, int H, int W, int O, int KH, int KW,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0, int DilationH = 1, int DilationW = 1, int Groups = 1)
{
    public int OutH => (H + 2 * PadH - DilationH * (KH - 1) - 1) / StrideH + 1;
    public int OutW => (W + 2 * PadW - DilationW * (KW - 1) - 1) / StrideW + 1;

    public void Validate()
    {
        if (N < 0 || C <= 0 || H <= 0 || W <= 0 || O <= 0 || KH <= 0 || KW <= 0 || StrideH <= 0 || StrideW <= 0 || PadH < 0 || PadW < 0 || DilationH <= 0 || DilationW <= 0 || Groups <= 0)
            throw new ArgumentException($"conv2d: invalid geometry {this}.");
        if (C % Groups != 0 || O % Groups != 0)
            throw new ArgumentException($"conv2d: channels in ({C}) and out ({O}) must both be divisible by groups ({Groups}).");
        if (OutH <= 0 || OutW <= 0)
            throw new ArgumentException($"conv2d: input {H}x{W} is smaller than the dilated kernel {KH}x{KW} with padding {PadH},{PadW}; output would be {OutH}x{OutW}.");
    }
}
