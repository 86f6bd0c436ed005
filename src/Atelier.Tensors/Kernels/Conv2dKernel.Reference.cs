namespace Atelier.Tensors.Kernels;

/// <summary>The definitions of the three convolution passes: direct loops, float32 sums in loop order.
/// Tests compare the fast paths (<see cref="Conv2dKernel.Forward(in Conv2dGeometry, float*, void*, DType, float*, float*)"/> …) to them.</summary>
internal static unsafe partial class Conv2dKernel
{
    private static float W(void* w, DType t, long i) => t switch
    {
        DType.F32 => ((float*)w)[i],
        DType.F16 => (float)((Half*)w)[i],
        DType.BF16 => BitConverter.Int32BitsToSingle(((ushort*)w)[i] << 16),
        _ => throw new ArgumentException($"conv2d: weight dtype {t} is not floating."),
    };

    public static void ForwardReference(in Conv2dGeometry g, float* input, void* weight, DType wt, float* bias, float* output)
    {
        int cg = g.C / g.Groups, og = g.O / g.Groups, oh = g.OutH, ow = g.OutW;
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.O; o++)
            {
                int grp = o / og;
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        float sum = 0f;
                        for (int c = 0; c < cg; c++)
                            for (int ky = 0; ky < g.KH; ky++)
                            {
                                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                                if ((uint)iy >= (uint)g.H) continue;
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int ix = x * g.StrideW - g.PadW + kx * g.DilationW;
                                    if ((uint)ix >= (uint)g.W) continue;
                                    float v = input[(((long)n * g.C + grp * cg + c) * g.H + iy) * g.W + ix];
                                    sum += v * W(weight, wt, (((long)o * cg + c) * g.KH + ky) * g.KW + kx);
                                }
                            }
                        output[(((long)n * g.O + o) * oh + y) * ow + x] = sum + (bias is null ? 0f : bias[o]);
                    }
            }
    }

    public static void BackwardInputReference(in Conv2dGeometry g, float* gradOutput, void* weight, DType wt, float* gradInput)
    {
        int cg = g.C / g.Groups, og = g.O / g.Groups, oh = g.OutH, ow = g.OutW;
        new Span<float>(gradInput, checked(g.N * g.C * g.H * g.W)).Clear();
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.O; o++)
            {
                int grp = o / og;
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        float go = gradOutput[(((long)n * g.O + o) * oh + y) * ow + x];
                        for (int c = 0; c < cg; c++)
                            for (int ky = 0; ky < g.KH; ky++)
                            {
                                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                                if ((uint)iy >= (uint)g.H) continue;
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int ix = x * g.StrideW - g.PadW + kx * g.DilationW;
                                    if ((uint)ix >= (uint)g.W) continue;
                                    gradInput[(((long)n * g.C + grp * cg + c) * g.H + iy) * g.W + ix] +=
                                        go * W(weight, wt, (((long)o * cg + c) * g.KH + ky) * g.KW + kx);
                                }
                            }
                    }
            }
    }

    public static void BackwardWeightReference(in Conv2dGeometry g, float* input, float* gradOutput, float* gradWeight, float* gradBias)
    {
        int cg = g.C / g.Groups, og = g.O / g.Groups, oh = g.OutH, ow = g.OutW;
        for (int o = 0; o < g.O; o++)
        {
            int grp = o / og;
            if (gradBias is not null)
            {
                float b = 0f;
                for (int n = 0; n < g.N; n++)
                    for (int i = 0; i < oh * ow; i++)
                        b += gradOutput[((long)n * g.O + o) * oh * ow + i];
                gradBias[o] = b;
            }
            if (gradWeight is null) continue;
            for (int c = 0; c < cg; c++)
                for (int ky = 0; ky < g.KH; ky++)
                    for (int kx = 0; kx < g.KW; kx++)
                    {
                        float sum = 0f;
                        for (int n = 0; n < g.N; n++)
                            for (int y = 0; y < oh; y++)
                            {
                                int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
                                if ((uint)iy >= (uint)g.H) continue;
                                for (int x = 0; x < ow; x++)
                                {
                                    int ix = x * g.StrideW - g.PadW + kx * g.DilationW;
                                    if ((uint)ix >= (uint)g.W) continue;
                                    sum += input[(((long)n * g.C + grp * cg + c) * g.H + iy) * g.W + ix]
                                         * gradOutput[(((long)n * g.O + o) * oh + y) * ow + x];
                                }
                            }
                        gradWeight[(((long)o * cg + c) * g.KH + ky) * g.KW + kx] = sum;
                    }
        }
    }
}
