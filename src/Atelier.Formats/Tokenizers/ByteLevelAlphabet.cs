namespace Atelier.Formats.Tokenizers;

/// <summary>
/// GPT-2's byte-level alphabet (<c>bytes_to_unicode</c>), which CLIP's BPE works in: each of the 256 byte values
/// is one visible character. The printable bytes '!'..'~', '¡'..'¬', '®'..'ÿ' stand for themselves; the other 68
/// (controls, space, 0x7F–0xA0, soft hyphen) take U+0100, U+0101, … in byte order, so a space is 'Ġ' and a
/// line feed 'Ċ'. <see cref="Order"/> is the order of the first 256 vocabulary entries of a CLIP vocab.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The marker CLIP appends to the last symbol of every word.</summary>
    public const string EndOfWord = "</w>";

    private static readonly char[] s_byteToChar = new char[256];
    private static readonly Dictionary<char, byte> s_charToByte = new();

    /// <summary>The byte values in vocabulary order: the self-standing bytes first, then the remapped ones.</summary>
    public static IReadOnlyList<byte> Order { get; }

    static ByteLevelAlphabet()
    {
        var order = new List<byte>(256);
        for (int b = 0; b < 256; b++)
            if (StandsForItself(b))
                order.Add((byte)b);
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            s_byteToChar[b] = StandsForItself(b) ? (char)b : (char)(256 + next++);
            if (!StandsForItself(b))
                order.Add((byte)b);
        }
        foreach (byte b in order)
            s_charToByte[s_byteToChar[b]] = b;
        Order = order;
    }

    public static char ToChar(byte b) => s_byteToChar[b];

    public static bool TryGetByte(char c, out byte b) => s_charToByte.TryGetValue(c, out b);

    private static bool StandsForItself(int b) => b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
}
