using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Atelier.Formats.Safetensors;

namespace Atelier.Bench.Suites;

/// <summary>
/// Safetensors open cost and read throughput. Open parses only the header and maps the file, so a 2 GB file with
/// the same header opens as fast as a 2 MB one (both are sparse files: the header is real, the data is a hole).
/// Throughput: touch every byte of one tensor through the mapping — first on a fresh mapping (page faults into the
/// page cache), then again on the same mapping — next to the same loop over a managed array in the same run.
/// </summary>
internal sealed class SafetensorsSuite : IBenchSuite
{
    private const int TensorCount = 1000;

    public string Name => "safetensors";

    public string Description => "open time vs file size (sparse 2 MB / 2 GB, 1000 tensors) and mapped read GB/s";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        string folder = Path.Combine(Path.GetTempPath(), "atelier-bench-safetensors-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            int repeats = options.Quick ? 20 : 200;
            long readBytes = options.Quick ? 64L << 20 : 256L << 20;

            string small = Path.Combine(folder, "2MB.safetensors");
            string large = Path.Combine(folder, "2GB.safetensors");
            CreateSparse(small, 2L << 20, readBytes: 0);
            CreateSparse(large, 2L << 30, readBytes);

            double openSmall = BestOf(repeats, () => SafetensorsFile.Open(small).Dispose());
            double openLarge = BestOf(repeats, () => SafetensorsFile.Open(large).Dispose());
            yield return new BenchRow("safetensors open", $"2 MB file, {TensorCount} tensors", 0, openSmall, "header parse + mmap");
            yield return new BenchRow("safetensors open", $"2 GB file, {TensorCount} tensors", 0, openLarge, $"{openLarge / openSmall:F2}x the 2 MB open");

            int passes = options.Quick ? 2 : 5;
            ulong sink = 0;
            double fresh = BestOf(passes, () =>
            {
                using var file = SafetensorsFile.Open(large);
                sink ^= TouchTensor(file);
            });
            using (var file = SafetensorsFile.Open(large))
            {
                sink ^= TouchTensor(file);
                double mapped = BestOf(passes, () => sink ^= TouchTensor(file));
                var array = GC.AllocateUninitializedArray<byte>(checked((int)readBytes));
                Random.Shared.NextBytes(array);
                double managed = BestOf(passes, () => sink ^= Checksum(ref array[0], array.Length));
                string size = $"{readBytes >> 20} MB tensor";
                yield return new BenchRow("read via fresh mapping", size, 0, fresh, $"{readBytes / fresh / 1e9:F2} GB/s (open + page faults + read)");
                yield return new BenchRow("read via mapping", size, 0, mapped, $"{readBytes / mapped / 1e9:F2} GB/s");
                yield return new BenchRow("read managed array (ref)", size, 0, managed, $"{readBytes / managed / 1e9:F2} GB/s");
            }
            GC.KeepAlive(sink);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// A header describing <see cref="TensorCount"/> F32 tensors filling <paramref name="dataBytes"/>, written for
    /// real; the data section is left as a hole (SetLength) except the last <paramref name="readBytes"/>, which hold
    /// the tensor "big" that the throughput rows read.
    /// </summary>
    private static void CreateSparse(string path, long dataBytes, long readBytes)
    {
        var specs = new List<SafetensorsTensorSpec>();
        long rest = dataBytes - readBytes;
        int count = readBytes > 0 ? TensorCount - 1 : TensorCount;
        long each = rest / count / 4 * 4;
        for (int i = 0; i < count; i++)
        {
            long bytes = i == count - 1 ? rest - each * (count - 1) : each;
            specs.Add(new SafetensorsTensorSpec($"model.layers.{i:D4}.weight", SafetensorsDType.F32, [bytes / 4]));
        }
        if (readBytes > 0)
            specs.Add(new SafetensorsTensorSpec("big", SafetensorsDType.F32, [readBytes / 4]));
        byte[] header = SafetensorsHeaderWriter.Build(specs, [new("format", "pt")]);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        long total = 8 + header.Length + dataBytes;
        if (readBytes > 0)
        {
            stream.Position = total - readBytes;
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            for (long done = 0; done < readBytes; done += chunk.Length)
                stream.Write(chunk, 0, (int)Math.Min(chunk.Length, readBytes - done));
        }
        stream.SetLength(total);
    }

    private static unsafe ulong TouchTensor(SafetensorsFile file)
    {
        var info = file.GetInfo("big");
        byte* pointer = file.GetPointer(info);
        return Checksum(ref *pointer, checked((int)info.ByteLength));
    }

    /// <summary>XOR of all 64-byte lines: every byte is loaded once, with 512-bit loads where available.</summary>
    private static ulong Checksum(ref byte start, int length)
    {
        var accumulator = Vector512<ulong>.Zero;
        int i = 0;
        for (; i <= length - 64; i += 64)
            accumulator ^= Vector512.LoadUnsafe(ref Unsafe.As<byte, ulong>(ref Unsafe.Add(ref start, i)));
        ulong result = 0;
        for (int lane = 0; lane < Vector512<ulong>.Count; lane++)
            result ^= accumulator[lane];
        for (; i < length; i++)
            result ^= Unsafe.Add(ref start, i);
        return result;
    }

    private static double BestOf(int repeats, Action action)
    {
        action();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
