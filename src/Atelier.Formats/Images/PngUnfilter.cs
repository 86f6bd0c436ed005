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
/// add; Sub, Average and Paeth depend on the reconstructed pixel to the left, so they process one pixel per step in a
/// 128-bit register (Paeth in 16-bit lanes), the scheme of libpng's SSE2 filters. Without hardware vector support
/// Apply runs the reference. Results are identical on every CPU. Speed: bench suite "png" (unfilter rows).
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
            // Sub with 1- or 2-byte pixels gains nothing from a vector per pixel (bench suite "png"): the reference is as fast.
            case PngFilterType.Sub when bpp < 3:
                ReferenceFrom(type, row, prior, bpp, 0);
                return;
            case PngFilterType.Sub or PngFilterType.Average or PngFilterType.Paeth when Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian:
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
    /// Sub, Average and Paeth: one pixel per step in a 128-bit register. Each step loads 8 bytes at the pixel
    /// (the bytes past it belong to later pixels and are ignored) and stores exactly bpp bytes: an 8-byte store would
    /// overlap the next step's load and stall store-to-load forwarding. Runs while 8 bytes remain; the reference
    /// finishes the row.
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
        // Bounds: every load reads [i, i + 8) with i + 8 <= row.Length == prior.Length, every store writes [i, i + bpp).
        ref byte r = ref MemoryMarshal.GetReference(row);
        ref byte p = ref MemoryMarshal.GetReference(prior);
        int end = type switch
        {
            PngFilterType.Sub => Sub(ref r, row.Length, bpp),
            PngFilterType.Average => Average(ref r, ref p, row.Length, bpp),
            _ => Paeth(ref r, ref p, row.Length, bpp),
        };
        ReferenceFrom(type, row, prior, bpp, end);
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

    private static int Sub(ref byte row, int length, int bpp)
    {
        var a = Load8(ref row, 0); // reconstructed left pixel
        int i = bpp;
        for (; i + 8 <= length; i += bpp)
        {
            a = Load8(ref row, i) + a;
            Store(ref row, i, a, bpp);
        }
        return i;
    }

    private static int Average(ref byte row, ref byte prior, int length, int bpp)
    {
        var a = Load8(ref row, 0);
        int i = bpp;
        for (; i + 8 <= length; i += bpp)
        {
            var b = Load8(ref prior, i);
            a = Load8(ref row, i) + ((a & b) + Vector128.ShiftRightLogical(a ^ b, 1)); // floor((a + b) / 2) without overflow
            Store(ref row, i, a, bpp);
        }
        return i;
    }

    /// <summary>Paeth in 16-bit lanes (the differences need 10 bits with sign); ties resolved a, b, c as libpng's SSE2 code does.</summary>
    private static int Paeth(ref byte row, ref byte prior, int length, int bpp)
    {
        var a = Vector128.WidenLower(Load8(ref row, 0)).AsInt16();
        var c = Vector128.WidenLower(Load8(ref prior, 0)).AsInt16();
        var low = Vector128.Create((short)0xFF);
        int i = bpp;
        for (; i + 8 <= length; i += bpp)
        {
            var b = Vector128.WidenLower(Load8(ref prior, i)).AsInt16();
            var x = Vector128.WidenLower(Load8(ref row, i)).AsInt16();
            var pa = Vector128.Abs(b - c);         // |p − a| with p = a + b − c
            var pb = Vector128.Abs(a - c);         // |p − b|
            var pc = Vector128.Abs(a + b - c - c); // |p − c|
            var smallest = Vector128.Min(pc, Vector128.Min(pa, pb));
            var predictor = Vector128.ConditionalSelect(Vector128.Equals(smallest, pa), a,
                Vector128.ConditionalSelect(Vector128.Equals(smallest, pb), b, c));
            a = (x + predictor) & low;
            Store(ref row, i, Vector128.Narrow(a.AsUInt16(), a.AsUInt16()), bpp);
            c = b;
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Load8(ref byte data, int offset)
        => Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, offset))).AsByte();

    /// <summary>Stores the low <paramref name="bpp"/> bytes (1–8) of the vector, widest pieces first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref byte data, int offset, Vector128<byte> value, int bpp)
    {
        ref byte d = ref Unsafe.Add(ref data, offset);
        ulong v = value.AsUInt64().ToScalar();
        if (bpp == 8)
        {
            Unsafe.WriteUnaligned(ref d, v);
            return;
        }
        int at = 0;
        if ((bpp & 4) != 0)
        {
            Unsafe.WriteUnaligned(ref d, (uint)v);
            at = 4;
        }
        if ((bpp & 2) != 0)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, at), (ushort)(v >> (8 * at)));
            at += 2;
        }
        if ((bpp & 1) != 0)
            Unsafe.Add(ref d, at) = (byte)(v >> (8 * at));
    }

    private static void CheckArguments(Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        if (bpp is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(bpp), bpp, "PNG filter stride (bytes per pixel) must be 1–8.");
        if (prior.Length != row.Length)
            throw new ArgumentException($"PNG unfilter: prior row has {prior.Length} bytes, current row {row.Length}; they must match.");
    }
}
