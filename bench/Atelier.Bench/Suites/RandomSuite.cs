using System.Diagnostics;
using Atelier.Tensors;

namespace Atelier.Bench;

/// <summary>
/// Throughput of the PyTorch-identical generator on the noise shapes a diffusion pipeline draws (single thread; the
/// stream is sequential by definition). The raw Mersenne Twister line is the floor the other rows build on.
/// </summary>
internal sealed class RandomSuite : IBenchSuite
{
    public string Name => "random";

    public string Description => "TorchGenerator: randn/rand on latent-noise shapes, ns per element";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        int repetitions = options.Quick ? 3 : 15;
        (string Label, int[] Shape)[] cases =
        [
            ("randn (n < 16 path)", [1, 15]),
            ("randn", [1, 4, 32, 32]),
            ("randn", [1, 4, 64, 64]),
            ("randn", [1, 4, 128, 128]),
            ("randn scalar path", [1, 4, 128, 128]),
            ("rand", [1, 4, 128, 128]),
            ("mt19937 next()", [1, 4, 128, 128]),
        ];
        foreach (var (label, shape) in cases)
        {
            int count = shape.Aggregate(1, (a, d) => a * d);
            var buffer = new float[count];
            var generator = new TorchGenerator(0, label.Contains("scalar") ? TorchNormalPath.Scalar : TorchNormalPath.Avx2);
            var engine = new MersenneTwister19937(0);
            void DrawRaw()
            {
                for (int i = 0; i < buffer.Length; i++)
                    buffer[i] = engine.NextUInt32();
            }
            Action draw = label switch
            {
                "rand" => () => generator.Rand(buffer),
                "mt19937 next()" => DrawRaw,
                _ => () => generator.Randn(buffer),
            };
            // Small draws are timed in batches so the clock resolution does not dominate.
            int batch = Math.Max(1, 65536 / count);
            draw();
            double best = double.MaxValue;
            for (int r = 0; r < repetitions; r++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int b = 0; b < batch; b++)
                    draw();
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / batch);
            }
            yield return new BenchRow(label, $"[{string.Join(", ", shape)}]", 0, best, $"{best / count * 1e9:F1} ns/element");
        }
    }
}
