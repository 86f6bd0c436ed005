using System.Numerics;

namespace Atelier.Formats.Images;

/// <summary>
/// Forward filtering for the encoder (PNG specification §9.2): <c>output[i] = row[i] − predictor(a, b, c)</c>, where a
/// is the byte bpp to the left, b the byte above and c the byte above-left (0 outside the image). Unlike
/// reconstruction every output byte depends only on the unfiltered rows, so all filters vectorise across the whole
/// row. <see cref="Reference"/> and <see cref="SumOfAbsolutesReference"/> are the definitions the fast paths are tested
/// against; without hardware vectors the fast paths run them.
/// </summary>
internal static class PngRowFilter
{
    public static void Apply(PngFilterType type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        CheckArguments(row, prior, bpp, output);
        int head = Math.Min(bpp, row.Length);
        // The first pixel has no left neighbour; the reference handles it, the vector loop starts at i = bpp.
        ReferenceRange(type, row, prior, bpp, output, 0, head);
        int i = head;
        if (Vector.IsHardwareAccelerated && type != PngFilterType.None)
        {
            int n = Vector<byte>.Count;
            for (; i + n <= row.Length; i += n)
            {
                var x = new Vector<byte>(row.Slice(i));
                Vector<byte> predictor;
                switch (type)
                {
                    case PngFilterType.Sub:
                        predictor = new Vector<byte>(row.Slice(i - bpp));
                        break;
                    case PngFilterType.Up:
                        predictor = new Vector<byte>(prior.Slice(i));
                        break;
                    case PngFilterType.Average:
                    {
                        var a = new Vector<byte>(row.Slice(i - bpp));
                        var b = new Vector<byte>(prior.Slice(i));
                        predictor = (a & b) + Vector.ShiftRightLogical(a ^ b, 1); // floor((a + b) / 2) without overflow
                        break;
                    }
                    default:
                        predictor = Paeth(new Vector<byte>(row.Slice(i - bpp)), new Vector<byte>(prior.Slice(i)), new Vector<byte>(prior.Slice(i - bpp)));
                        break;
                }
                (x - predictor).CopyTo(output.Slice(i));
            }
        }
        ReferenceRange(type, row, prior, bpp, output, i, row.Length);
    }

    /// <summary>The definition, §9.2 Table 9.</summary>
    public static void Reference(PngFilterType type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        CheckArguments(row, prior, bpp, output);
        ReferenceRange(type, row, prior, bpp, output, 0, row.Length);
    }

    /// <summary>
    /// The adaptive-filter heuristic of §12.8 (and libpng): the sum of the filtered bytes read as signed values, in
    /// absolute value. Smaller sums tend to compress better.
    /// </summary>
    public static long SumOfAbsolutes(ReadOnlySpan<byte> filtered)
    {
        long total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int n = Vector<byte>.Count;
            var accumulator = Vector<uint>.Zero;
            for (; i + n <= filtered.Length; i += n)
            {
                // |(sbyte)v| as a byte is exact: |−128| = 0x80 = 128.
                var magnitude = Vector.AsVectorByte(Vector.Abs(Vector.AsVectorSByte(new Vector<byte>(filtered.Slice(i)))));
                Vector.Widen(magnitude, out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low + high, out Vector<uint> low32, out Vector<uint> high32); // each lane ≤ 256: no overflow
                accumulator += low32 + high32;                                           // ≤ 512 per lane per step
                if ((i / n & 0xFFFF) == 0xFFFF)
                {
                    total += Vector.Sum(accumulator);
                    accumulator = Vector<uint>.Zero;
                }
            }
            total += Vector.Sum(accumulator);
        }
        return total + SumOfAbsolutesReference(filtered.Slice(i));
    }

    public static long SumOfAbsolutesReference(ReadOnlySpan<byte> filtered)
    {
        long total = 0;
        foreach (byte v in filtered)
            total += Math.Abs((int)(sbyte)v);
        return total;
    }

    private static void ReferenceRange(PngFilterType type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            byte a = i >= bpp ? row[i - bpp] : (byte)0;
            byte b = prior[i];
            byte c = i >= bpp ? prior[i - bpp] : (byte)0;
            byte predictor = type switch
            {
                PngFilterType.None => 0,
                PngFilterType.Sub => a,
                PngFilterType.Up => b,
                PngFilterType.Average => (byte)((a + b) >> 1),
                PngFilterType.Paeth => PngUnfilter.PaethPredictor(a, b, c),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "PNG filter type must be 0–4 (None, Sub, Up, Average, Paeth)."),
            };
            output[i] = (byte)(row[i] - predictor);
        }
    }

    /// <summary>Paeth predictor across a whole vector, in 16-bit lanes.</summary>
    private static Vector<byte> Paeth(Vector<byte> a8, Vector<byte> b8, Vector<byte> c8)
    {
        Vector.Widen(a8, out Vector<ushort> aLow, out Vector<ushort> aHigh);
        Vector.Widen(b8, out Vector<ushort> bLow, out Vector<ushort> bHigh);
        Vector.Widen(c8, out Vector<ushort> cLow, out Vector<ushort> cHigh);
        var low = Paeth(Vector.AsVectorInt16(aLow), Vector.AsVectorInt16(bLow), Vector.AsVectorInt16(cLow));
        var high = Paeth(Vector.AsVectorInt16(aHigh), Vector.AsVectorInt16(bHigh), Vector.AsVectorInt16(cHigh));
        return Vector.Narrow(Vector.AsVectorUInt16(low), Vector.AsVectorUInt16(high));
    }

    private static Vector<short> Paeth(Vector<short> a, Vector<short> b, Vector<short> c)
    {
        var pa = Vector.Abs(b - c);         // |p − a| with p = a + b − c
        var pb = Vector.Abs(a - c);         // |p − b|
        var pc = Vector.Abs(a + b - c - c); // |p − c|
        var useA = Vector.LessThanOrEqual(pa, pb) & Vector.LessThanOrEqual(pa, pc);
        var useB = Vector.LessThanOrEqual(pb, pc);
        return Vector.ConditionalSelect(useA, a, Vector.ConditionalSelect(useB, b, c));
    }

    private static void CheckArguments(ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        if (bpp is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(bpp), bpp, "PNG filter stride (bytes per pixel) must be 1–8.");
        if (prior.Length != row.Length || output.Length != row.Length)
            throw new ArgumentException($"PNG filter: row {row.Length}, prior {prior.Length} and output {output.Length} bytes must all match.");
    }
}
