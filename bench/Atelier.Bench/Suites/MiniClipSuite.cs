using Atelier.Models.Mini;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// One CLIP-mini training step (the shipped config: ResNet tower at 32x32 fed 64x64 images, text tower width 256 ×
/// 4 layers, context 40, batch 256; 64 with --quick), whole and layer by layer, forward and forward+backward, so the
/// slow ops of training show. Captions are random token ids of a typical length (16 of 40 positions).
/// FLOPs: forward multiply-adds × 2 (× 3 for forward+backward). With <c>--threads 1</c> the times are the calling
/// thread's CPU time (best of N; <see cref="ThreadCpuTime"/>), so the profile holds while training runs beside it;
/// with more threads they are wall times.
/// </summary>
internal sealed class MiniClipSuite : IBenchSuite
{
    public string Name => "mini-clip";
    public string Description => "CLIP-mini training step (batch 256): whole step and per layer, forward and forward+backward";

    private const int TextTokens = 16;

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        int batch = options.Quick ? 64 : 256;
        var config = MiniClipConfig.Default with { ImageSize = 32, ContextLength = 40 };
        var model = new MiniClip(config);
        model.Initialize(new TorchGenerator(1));
        foreach (var (_, p) in model.NamedParameters()) p.Value = p.Value.RequireGrad();
        var generator = new TorchGenerator(2);
        Tensor images = Random(generator, [batch, 3, 64, 64]);
        long[] ids = new long[batch * TextTokens];
        for (int i = 0; i < ids.Length; i++) ids[i] = 1 + (i * 7919 % (config.VocabSize - 2));
        Tensor tokens = Tensor.FromArray(ids, [batch, TextTokens]);
        int[] eos = Enumerable.Repeat(TextTokens - 1, batch).ToArray();
        var textBatch = new TextOnly(model.TextModel, tokens, eos);

        long imageFlops = batch * model.VisionModel.ForwardFlopsPerImage;
        long textFlops = TextForwardFlops(config, batch);
        string shape = $"B={batch}";
        if (options.Selects("step"))
        {
            yield return Measure("step forward (both towers + loss)", shape, imageFlops + textFlops, options, false, () => Loss(model, images, textBatch));
            yield return Measure("step forward+backward", shape, 3 * (imageFlops + textFlops), options, true, () => Loss(model, images, textBatch));
            yield return Measure("image tower fwd+bwd (64→32 pool incl.)", shape, 3 * imageFlops, options, true, () => model.ImageEmbeddings(images).Mean());
            yield return Measure("text tower fwd+bwd", $"{shape} T={TextTokens}", 3 * textFlops, options, true, () => textBatch.Forward().Mean());
        }
        if (!options.Selects("layer")) yield break;

        // image tower, layer by layer, at its own activations
        var resnet = (MiniClipResNet)model.VisionModel;
        Tensor x;
        using (Autograd.NoGrad()) x = images.Reshape(batch, 3, 32, 2, 32, 2).Mean([3, 5]).Contiguous();
        x = Detached(x);
        int size = 32;
        yield return Measure("image stem conv3x3 3→32", $"{shape} 32x32", 3 * 2L * batch * size * size * 32 * 27, options, true, () => resnet.Stem.Forward(x).Mean());
        Tensor h;
        using (Autograd.NoGrad()) h = Detached(resnet.Stem.Forward(x).Contiguous());
        int s = 0;
        foreach (var stage in resnet.Stages)
        {
            foreach (var block in stage)
            {
                Tensor input = h;
                int output = size / block.Conv1.Stride;
                long flops = 2L * batch * output * output * 9 * (block.Conv1.OutChannels * block.Conv1.InChannels + block.Conv2.OutChannels * block.Conv2.InChannels)
                           + (block.Shortcut is { } sc ? 2L * batch * output * output * sc.InChannels * sc.OutChannels : 0);
                string label = $"image stage {s} block {block.Conv1.InChannels}→{block.Conv1.OutChannels} /{block.Conv1.Stride}";
                yield return Measure(label, $"{shape} {size}x{size}", 3 * flops, options, true, () => block.Forward(input).Mean());
                yield return Measure(label + " norm+silu only", $"{shape} {size}x{size}", 0, options, true, () => block.Norm1.Forward(input).Silu().Mean());
                long conv1 = 2L * batch * output * output * 9 * block.Conv1.OutChannels * block.Conv1.InChannels;
                yield return Measure(label + " conv1 only", $"{shape} {size}x{size}", conv1, options, false, () => block.Conv1.Forward(input).Mean());
                yield return Measure(label + " conv1 only", $"{shape} {size}x{size}", 3 * conv1, options, true, () => block.Conv1.Forward(input).Mean());
                using (Autograd.NoGrad()) h = Detached(block.Forward(input).Contiguous());
                size = output;
            }
            s++;
        }

        // text tower, one layer split into attention and MLP
        MiniTransformerBlock layer = model.TextModel.Layers[0];
        int width = config.TextWidth;
        Tensor states = Detached(Random(generator, [batch, TextTokens, width]));
        long n = (long)batch * TextTokens;
        yield return Measure("text layer: layer_norm1 + attention (q,k,v,out + sdpa causal)", $"{shape} T={TextTokens} W={width}",
            3 * (2 * n * width * width * 4 + 2L * 2 * batch * TextTokens * TextTokens * width), options, true, () => layer.SelfAttn.Forward(layer.LayerNorm1.Forward(states)).Mean());
        yield return Measure("text layer: layer_norm2 + MLP (fc1, gelu, fc2)", $"{shape} T={TextTokens} W={width}",
            3 * 2 * n * width * width * 2 * config.MlpRatio, options, true, () => layer.Mlp.Forward(layer.LayerNorm2.Forward(states)).Mean());
        yield return Measure("text token+position embedding", $"{shape} T={TextTokens}", 0, options, true,
            () => (model.TextModel.TokenEmbedding.Forward(tokens) + model.TextModel.PositionEmbedding.Forward(Tensor.Arange(TextTokens, DType.I64))).Mean());
        Tensor a = Detached(MiniClipL2(Random(generator, [batch, config.EmbedDim])));
        Tensor b = Detached(MiniClipL2(Random(generator, [batch, config.EmbedDim])));
        yield return Measure("contrastive loss (matmul + 2 cross-entropies)", $"{shape} E={config.EmbedDim}", 3 * 2L * batch * batch * config.EmbedDim, options, true,
            () => MiniClip.ContrastiveLoss(a, b, model.Temperature()).Loss);
    }

    private sealed class TextOnly(MiniClipTextTower tower, Tensor ids, int[] eos)
    {
        public Tensor Forward() => tower.Forward(ids, eos).Projected;
    }

    private static Tensor Loss(MiniClip model, Tensor images, TextOnly text)
    {
        Tensor i = model.ImageEmbeddings(images);
        Tensor t = text.Forward();
        Tensor tn = t * ((t * t).Sum(1, keepDim: true) + 1e-12f).Rsqrt();
        return MiniClip.ContrastiveLoss(i, tn, model.Temperature()).Loss;
    }

    private static long TextForwardFlops(MiniClipConfig c, int batch)
    {
        long n = (long)batch * TextTokens, w = c.TextWidth;
        long perLayer = 2 * n * w * w * (4 + 2 * c.MlpRatio) + 2L * 2 * batch * TextTokens * TextTokens * w;
        return c.TextLayers * perLayer + 2 * batch * w * c.EmbedDim;
    }

    private static BenchRow Measure(string kernel, string shape, long flops, BenchOptions options, bool backward, Func<Tensor> run)
    {
        void Once()
        {
            using var scope = TensorScope.Begin();
            Tensor y = run();
            if (backward) y.Backward();
            else y.Item();
        }
        string what = backward ? "forward+backward" : "forward";
        if (options.Threads != 1 || ThreadCpuTime.Now() is null)
            return new BenchRow(kernel, shape, flops, Timing.Best(Once, options.Quick), what + ", wall");
        Once();   // warm-up
        double best = double.MaxValue, total = 0;
        for (int r = 0; r < (options.Quick ? 2 : 5) || (total < (options.Quick ? 0.2 : 3.0) && r < 100); r++)
        {
            double start = ThreadCpuTime.Now()!.Value;
            Once();
            double seconds = ThreadCpuTime.Now()!.Value - start;
            best = Math.Min(best, seconds);
            total += seconds;
        }
        return new BenchRow(kernel, shape, flops, best, what + ", thread CPU");
    }

    private static Tensor Detached(Tensor t) => t.Detach().RequireGrad();

    private static Tensor MiniClipL2(Tensor t)
    {
        using var _ = Autograd.NoGrad();
        return (t * ((t * t).Sum(1, keepDim: true) + 1e-12f).Rsqrt()).Contiguous();
    }

    private static Tensor Random(TorchGenerator generator, int[] shape) => Tensor.FromArray(generator.Randn(shape), shape);
}
