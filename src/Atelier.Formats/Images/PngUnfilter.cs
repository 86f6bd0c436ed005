using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Formats.Images;

/// <summary>
/// Filter reconstruction (PNG specification §9.2–§9.4), in place: <c>row</c> holds the filtered bytes of one scanline
/// and becomes the reconstructed bytes; <c>prior</c> is the reconstructed previous scanline of the same pass (all
/// zeros for the first). <c>bpp</c> is <see cref="PngHeader.FilterStride"/> (1–8).
/// <see cref="Reference"/> is the definition, byte by byte. <see cref="Apply"/> is the fast path: Up is a plain vector
/// add; Sub, Average and Paeth depend on the reconstructed pixel to the left, so for bpp ≥ 3 they process one pixel per
/// step in a 128-bit register (Paeth in 16-bit lanes), the scheme of libpng's SSE2 filters. Without hardware vector
/// support, and for bpp 1 and 2, Apply runs the reference. Results are identical on every CPU.
/// </summary>
internal static class PngUnfilter
{
    public static void Apply(PngFilterType type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        CheckArguments(row, prior, bpp);
        switch (type)
        {
            case PngFilterType.None:
                return;
            case PngFilterType.Up:
                Up(row, prior);
                return;
            case PngFilterType.Sub or PngFilterType.Average or PngFilterType.Paeth when bpp >= 3 && Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian:
                PerPixel(type, row, prior, bpp);
                return;
            default:
                ReferenceFrom(type, row, prior, bpp, 0);
                return;
        }
    }

    /// <summary>The definition, §9.2 Table 9 inverted: Recon(x) = Filt(x) + predictor(a, b, c).</summary>
    public static void Reference(PngFilterType type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        CheckArguments(row, prior, bpp);
        ReferenceFrom(type, row, prior, bpp, 0);
    }

    /// <summary>The Paeth predictor, §9.4: whichever of a (left), b (up), c (up-left) is closest to a + b − c; ties prefer a, then b.</summary>
    public static byte PaethPredictor(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
            return a;
        return pb <= pc ? b : c;
    }

    private static void ReferenceFrom(PngFilterType type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp, int start)
    {
        switch (type)
        {
            case PngFilterType.None:
                break;
            case PngFilterType.Sub:
                for (int i = Math.Max(start, bpp); i < row.Length; i++)
                    row[i] += row[i - bpp];
                break;
            case PngFilterType.Up:
                for (int i = start; i < row.Length; i++)
                    row[i] += prior[i];
                break;
            case PngFilterType.Average:
                for (int i = start; i < row.Length; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0;
                    row[i] += (byte)((left + prior[i]) >> 1);
                }
                break;
            case PngFilterType.Paeth:
                for (int i = start; i < row.Length; i++)
                {
                    byte left = i >= bpp ? row[i - bpp] : (byte)0;
                    byte upLeft = i >= bpp ? prior[i - bpp] : (byte)0;
                    row[i] += PaethPredictor(left, prior[i], upLeft);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "PNG filter type must be 0–4 (None, Sub, Up, Average, Paeth).");
        }
    }

    private static void Up(Span<byte> row, ReadOnlySpan<byte> prior)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= row.Length; i += Vector<byte>.Count)
                (new Vector<byte>(row.Slice(i)) + new Vector<byte>(prior.Slice(i))).CopyTo(row.Slice(i));
        }
        ReferenceFrom(PngFilterType.Up, row, prior, 1, i);
    }

    /// <summary>
    /// Sub, Average and Paeth for bpp 3–8: one pixel per step. Each step loads 8 bytes at the pixel (the bytes past the
    /// pixel belong to later, still filtered pixels of the same row and are written back unchanged), so it runs while
    /// 8 bytes remain and the reference finishes the row.
    /// </summary>
    private static void PerPixel(PngFilterType type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        if (row.Length < bpp + 8)
        {
            ReferenceFrom(type, row, prior, bpp, 0);
            return;
        }
        // The first pixel has no left neighbour: a = c = 0, so Average adds b/2 and Paeth adds b.
        ReferenceFirstPixel(type, row, prior, bpp);
        ulong keep = bpp == 8 ? 0 : ulong.MaxValue << (8 * bpp); // bytes of later pixels inside the 8-byte window
        var a = Load8(row, 0);                                    // reconstructed left pixel
        var c = Load8(prior, 0);                                  // prior row's left pixel
        int i = bpp;
        for (; i + 8 <= row.Length; i += bpp)
        {
            var x = Load8(row, i);
            var b = Load8(prior, i);
            Vector128<byte> recon = type switch
            {
                PngFilterType.Sub => x + a,
                PngFilterType.Average => x + ((a & b) + Vector128.ShiftRightLogical(a ^ b, 1)), // floor((a + b) / 2) without overflow
                _ => x + Paeth(a, b, c),
            };
            ulong merged = (recon.AsUInt64().ToScalar() & ~keep) | (x.AsUInt64().ToScalar() & keep);
            MemoryMarshal.Write(row.Slice(i, 8), in merged);
            a = Vector128.CreateScalar(merged).AsByte();
            c = b;
        }
        ReferenceFrom(type, row, prior, bpp, i);
    }

    private static void ReferenceFirstPixel(PngFilterType type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        for (int i = 0; i < bpp; i++)
        {
            row[i] += type switch
            {
                PngFilterType.Average => (byte)(prior[i] >> 1),
                PngFilterType.Paeth => prior[i],
                _ => 0,
            };
        }
    }

    /// <summary>Paeth predictor on the low 8 bytes, in 16-bit lanes (differences need 10 bits with sign).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Paeth(Vector128<byte> a8, Vector128<byte> b8, Vector128<byte> c8)
    {
        var a = Vector128.WidenLower(a8).AsInt16();
        var b = Vector128.WidenLower(b8).AsInt16();
        var c = Vector128.WidenLower(c8).AsInt16();
        var pa = Vector128.Abs(b - c);     // |p − a| with p = a + b − c
        var pb = Vector128.Abs(a - c);     // |p − b|
        var pc = Vector128.Abs(a + b - c - c); // |p − c|
        var useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var useB = Vector128.LessThanOrEqual(pb, pc);
        var predictor = Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(useB, b, c));
        return Vector128.Narrow(predictor.AsUInt16(), predictor.AsUInt16());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Load8(ReadOnlySpan<byte> span, int offset)
        => Vector128.CreateScalar(MemoryMarshal.Read<ulong>(span.Slice(offset, 8))).AsByte();

    private static void CheckArguments(Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        if (bpp is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(bpp), bpp, "PNG filter stride (bytes per pixel) must be 1–8.");
        if (prior.Length != row.Length)
            throw new ArgumentException($"PNG unfilter: prior row has {prior.Length} bytes, current row {row.Length}; they must match.");
    }
}
