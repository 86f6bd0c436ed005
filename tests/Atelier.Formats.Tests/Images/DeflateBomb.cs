using System.Buffers.Binary;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// A zlib stream of zeros at deflate's maximum ratio, written bit by bit (RFC 1951) in milliseconds instead of
/// compressing a gigabyte: one dynamic-Huffman block whose literal/length code gives symbol 285 (a 258-byte match) a
/// 1-bit code and whose distance code has one 1-bit symbol (distance 1), so each 258 zeros cost 2 bits (1032:1).
/// </summary>
internal static class DeflateBomb
{
    public static byte[] Zeros(long count)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count));
        long matches = (count - 1) / 258, tail = (count - 1) % 258;
        var bits = new BitWriter((int)(matches / 4 + 64));
        bits.Write(1, 1);          // BFINAL
        bits.Write(2, 2);          // BTYPE = 10, dynamic Huffman
        bits.Write(286 - 257, 5);  // HLIT: 286 literal/length codes
        bits.Write(1 - 1, 5);      // HDIST: 1 distance code
        bits.Write(18 - 4, 4);     // HCLEN: 18 code-length codes, in the order of RFC 1951 §3.2.7
        // Code-length code lengths in that order: 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1. Used: 18 (1 bit), 1 and 2 (2 bits).
        int[] order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
        foreach (int symbol in order)
            bits.Write(symbol switch { 18 => 1, 1 or 2 => 2, _ => 0 }, 3);
        // Canonical codes for the code-length alphabet: 18 → 0, 1 → 10, 2 → 11 (Huffman codes go most significant bit first).
        void Length(int value)
        {
            if (value == 1)
                bits.WriteHuffman(0b10, 2);
            else
                bits.WriteHuffman(0b11, 2);
        }
        void Zeros18(int run)
        {
            bits.WriteHuffman(0, 1);
            bits.Write(run - 11, 7);
        }
        // Literal/length lengths: literal 0 → 2, literals 1–255 → 0, 256 (end of block) → 2, 257–284 → 0, 285 → 1.
        Length(2);
        Zeros18(138);
        Zeros18(117);
        Length(2);
        Zeros18(28);
        Length(1);
        // Distance lengths: code 0 (distance 1) → 1.
        Length(1);
        // Canonical literal/length codes: 285 → 0, literal 0 → 10, 256 → 11. Distance 0 → 0.
        bits.WriteHuffman(0b10, 2);            // the first zero as a literal
        for (long i = 0; i < matches; i++)
            bits.WriteZeros(2);                // match of 258 (code 0), distance 1 (code 0)
        for (long i = 0; i < tail; i++)
            bits.WriteHuffman(0b10, 2);        // remaining zeros as literals
        bits.WriteHuffman(0b11, 2);            // end of block
        byte[] deflate = bits.ToArray();

        var zlib = new byte[2 + deflate.Length + 4];
        zlib[0] = 0x78;
        zlib[1] = 0x01;                        // CMF/FLG: deflate, 32K window; (0x7801 % 31 == 0)
        deflate.CopyTo(zlib, 2);
        // Adler-32 of `count` zeros: A = 1, B = count mod 65521.
        BinaryPrimitives.WriteUInt32BigEndian(zlib.AsSpan(2 + deflate.Length), (uint)(count % 65521) << 16 | 1);
        return zlib;
    }

    private sealed class BitWriter(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private long _bit;

        /// <summary>Writes a value least significant bit first (header fields, extra bits).</summary>
        public void Write(int value, int count)
        {
            for (int i = 0; i < count; i++)
                WriteBit((value >> i) & 1);
        }

        /// <summary>Writes a Huffman code most significant bit first.</summary>
        public void WriteHuffman(int code, int length)
        {
            for (int i = length - 1; i >= 0; i--)
                WriteBit((code >> i) & 1);
        }

        public void WriteZeros(int count)
        {
            _bit += count;
            Grow();
        }

        public byte[] ToArray() => _bytes.AsSpan(0, (int)((_bit + 7) / 8)).ToArray();

        private void WriteBit(int bit)
        {
            Grow();
            _bytes[_bit >> 3] |= (byte)(bit << (int)(_bit & 7));
            _bit++;
        }

        private void Grow()
        {
            if ((_bit >> 3) + 1 >= _bytes.Length)
                Array.Resize(ref _bytes, _bytes.Length * 2);
        }
    }
}
