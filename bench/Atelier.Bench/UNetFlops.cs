using Atelier.Models.UNet;
using Atelier.Nn;

namespace Atelier.Bench;

/// <summary>
/// Floating-point operations of one UNet forward, counted from the model's modules at the shapes the forward
/// visits (an FMA counts 2): convolutions 2·N·O·(C/g)·KH·KW·OH·OW, Linear layers 2·rows·in·out, attention
/// 2·B·H·N·M·D for q·kᵀ plus as much for the weighted sum of v. Normalisations and element-wise ops are left out
/// (a few GFLOP against ~1.6 TFLOP for SD 1.5 at 64x64, batch 2).
/// </summary>
internal static class UNetFlops
{
    public sealed class Tally
    {
        public double Conv, Linear, Attention;
        public double Total => Conv + Linear + Attention;
    }

    public static Tally Count(UNet2DConditionModel model, int batch, int height, int width, int contextTokens)
    {
        var t = new Tally();
        int h = height, w = width;
        Conv(t, model.ConvIn, batch, ref h, ref w);
        t.Linear += Linear(model.TimeEmbedding.Linear1, batch) + Linear(model.TimeEmbedding.Linear2, batch);
        var sizes = new Stack<(int, int)>();
        sizes.Push((h, w));
        foreach (var block in model.DownBlocks)
        {
            var (resnets, attentions, down) = block switch
            {
                CrossAttnDownBlock2D c => (c.Resnets, (IReadOnlyList<Transformer2DModel>)c.Attentions, c.Downsamplers),
                DownBlock2D d => (d.Resnets, [], d.Downsamplers),
                _ => throw new NotSupportedException(block.GetType().Name),
            };
            for (int i = 0; i < resnets.Count; i++)
            {
                Resnet(t, resnets[i], batch, h, w);
                if (attentions.Count > 0) Transformer(t, attentions[i], batch, h, w, contextTokens);
                sizes.Push((h, w));
            }
            if (down is not null)
            {
                Conv(t, down[0].Conv, batch, ref h, ref w);
                sizes.Push((h, w));
            }
        }
        if (model.MidBlock is { } mid)
        {
            Resnet(t, mid.Resnets[0], batch, h, w);
            Transformer(t, mid.Attentions[0], batch, h, w, contextTokens);
            Resnet(t, mid.Resnets[1], batch, h, w);
        }
        foreach (var block in model.UpBlocks)
        {
            var (resnets, attentions, up) = block switch
            {
                CrossAttnUpBlock2D c => (c.Resnets, (IReadOnlyList<Transformer2DModel>)c.Attentions, c.Upsamplers),
                UpBlock2D u => (u.Resnets, [], u.Upsamplers),
                _ => throw new NotSupportedException(block.GetType().Name),
            };
            for (int i = 0; i < resnets.Count; i++)
            {
                (h, w) = sizes.Pop();
                Resnet(t, resnets[i], batch, h, w);
                if (attentions.Count > 0) Transformer(t, attentions[i], batch, h, w, contextTokens);
            }
            if (up is not null)
            {
                (h, w) = sizes.Peek();
                int uh = h, uw = w;
                Conv(t, up[0].Conv, batch, ref uh, ref uw);
            }
        }
        Conv(t, model.ConvOut, batch, ref h, ref w);
        return t;
    }

    private static void Resnet(Tally t, ResnetBlock2D r, int batch, int h, int w)
    {
        int hh = h, ww = w;
        Conv(t, r.Conv1, batch, ref hh, ref ww);
        Conv(t, r.Conv2, batch, ref hh, ref ww);
        if (r.ConvShortcut is { } s) Conv(t, s, batch, ref hh, ref ww);
        t.Linear += Linear(r.TimeEmbProj, batch);
    }

    private static void Transformer(Tally t, Transformer2DModel m, int batch, int h, int w, int contextTokens)
    {
        long tokens = (long)batch * h * w, c = m.Channels;
        t.Linear += 2.0 * 2 * tokens * c * c; // proj_in + proj_out (1x1 conv or Linear: the same products)
        foreach (var block in m.TransformerBlocks)
        {
            t.Linear += Linear(block.Attn1.ToQ, tokens) + Linear(block.Attn1.ToK, tokens) + Linear(block.Attn1.ToV, tokens) + Linear(block.Attn1.ToOut[0], tokens);
            t.Linear += Linear(block.Attn2.ToQ, tokens) + Linear(block.Attn2.ToK, (long)batch * contextTokens) + Linear(block.Attn2.ToV, (long)batch * contextTokens) + Linear(block.Attn2.ToOut[0], tokens);
            t.Linear += Linear(block.Ff.Net.Geglu.Proj, tokens) + Linear(block.Ff.Net.Out, tokens);
            long n = (long)h * w;
            t.Attention += 4.0 * batch * n * n * c;              // self: q·kᵀ and p·v, H·D = C
            t.Attention += 4.0 * batch * n * contextTokens * c;  // cross
        }
    }

    private static double Linear(Linear l, long rows) => 2.0 * rows * l.InFeatures * l.OutFeatures;

    private static void Conv(Tally t, Conv2d conv, int batch, ref int h, ref int w)
    {
        int k = conv.KernelSize, s = conv.Stride, p = conv.Padding;
        h = (h + 2 * p - k) / s + 1;
        w = (w + 2 * p - k) / s + 1;
        t.Conv += 2.0 * batch * conv.OutChannels * (conv.InChannels / conv.Groups) * k * k * h * w;
    }
}
