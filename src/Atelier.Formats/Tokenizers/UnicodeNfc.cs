namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Unicode Normalization Form C (UAX #15: canonical decomposition, canonical ordering, canonical composition).
/// We carry our own because <c>string.Normalize</c> does nothing under <c>InvariantGlobalization</c>, which the
/// solution sets. Data: Unicode 15.0.0 (Data/UnicodeNfc.txt); Hangul syllables are algorithmic (Unicode §3.12).
/// </summary>
internal static class UnicodeNfc
{
    // Unicode §3.12, Conjoining Jamo Behavior.
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    // Below U+0300 nothing decomposes into something else, nothing composes with a preceding character, and
    // every combining class is 0: such text is already NFC.
    private const char FirstInteresting = '\u0300';

    private static readonly byte[] s_bmpClass = new byte[0x10000];
    private static readonly Dictionary<int, byte> s_astralClass = new();
    private static readonly Dictionary<int, int[]> s_fullDecomposition = new();
    private static readonly Dictionary<long, int> s_composition = new();

    static UnicodeNfc()
    {
        var oneLevel = new Dictionary<int, int[]>();
        var excluded = new HashSet<int>();
        foreach (string[] f in EmbeddedTable.Records("UnicodeNfc.txt"))
        {
            switch (f[0])
            {
                case "c":
                    for (int cp = EmbeddedTable.Hex(f[1]), last = EmbeddedTable.Hex(f[2]); cp <= last; cp++)
                    {
                        byte klass = byte.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
                        if (cp < 0x10000)
                            s_bmpClass[cp] = klass;
                        else
                            s_astralClass[cp] = klass;
                    }
                    break;
                case "d":
                    oneLevel[EmbeddedTable.Hex(f[1])] = f.Skip(2).Select(EmbeddedTable.Hex).ToArray();
                    break;
                case "x":
                    for (int cp = EmbeddedTable.Hex(f[1]), last = EmbeddedTable.Hex(f[2]); cp <= last; cp++)
                        excluded.Add(cp);
                    break;
                default:
                    throw new InvalidOperationException($"UnicodeNfc.txt: unknown record kind '{f[0]}'.");
            }
        }

        foreach ((int cp, int[] mapping) in oneLevel)
        {
            var full = new List<int>();
            Expand(cp, oneLevel, full);
            s_fullDecomposition[cp] = full.ToArray();
            // Primary composites: two-code-point canonical mappings not excluded from composition.
            if (mapping.Length == 2 && !excluded.Contains(cp))
                s_composition[PairKey(mapping[0], mapping[1])] = cp;
        }

        static void Expand(int cp, Dictionary<int, int[]> oneLevel, List<int> into)
        {
            if (oneLevel.TryGetValue(cp, out int[]? mapping))
                foreach (int part in mapping)
                    Expand(part, oneLevel, into);
            else
                into.Add(cp);
        }
    }

    public static string Normalize(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] < FirstInteresting)
            i++;
        if (i == text.Length)
            return text;

        var codePoints = new List<int>(text.Length + 8);
        foreach (System.Text.Rune rune in text.EnumerateRunes())
            Decompose(rune.Value, codePoints);
        SortCanonically(codePoints);
        Compose(codePoints);

        var builder = new System.Text.StringBuilder(text.Length);
        foreach (int cp in codePoints)
            builder.Append(char.ConvertFromUtf32(cp));
        string result = builder.ToString();
        return result == text ? text : result;
    }

    public static int CombiningClass(int cp)
        => cp < 0x10000 ? s_bmpClass[cp] : s_astralClass.GetValueOrDefault(cp);

    private static void Decompose(int cp, List<int> into)
    {
        int s = cp - SBase;
        if ((uint)s < SCount)
        {
            into.Add(LBase + s / NCount);
            into.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0)
                into.Add(TBase + s % TCount);
        }
        else if (s_fullDecomposition.TryGetValue(cp, out int[]? full))
        {
            into.AddRange(full);
        }
        else
        {
            into.Add(cp);
        }
    }

    /// <summary>Canonical ordering: a stable sort by combining class within each run of non-starters.</summary>
    private static void SortCanonically(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int klass = CombiningClass(cps[i]);
            if (klass == 0)
                continue;
            int j = i;
            int moving = cps[i];
            while (j > 0 && CombiningClass(cps[j - 1]) > klass)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = moving;
        }
    }

    /// <summary>Canonical composition: each character joins the last starter unless a character between them blocks it.</summary>
    private static void Compose(List<int> cps)
    {
        int starter = -1;
        int write = 0;
        for (int read = 0; read < cps.Count; read++)
        {
            int cp = cps[read];
            int klass = CombiningClass(cp);
            if (starter >= 0)
            {
                bool adjacent = write - 1 == starter;
                int lastClass = adjacent ? 0 : CombiningClass(cps[write - 1]);
                bool blocked = !adjacent && (lastClass == 0 || lastClass >= klass);
                if (!blocked && TryCompose(cps[starter], cp, out int composite))
                {
                    cps[starter] = composite;
                    continue;
                }
            }
            if (klass == 0)
                starter = write;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int l = first - LBase, v = second - VBase;
        if ((uint)l < LCount && (uint)v < VCount)
        {
            composite = SBase + (l * VCount + v) * TCount;
            return true;
        }
        int s = first - SBase, t = second - TBase;
        if ((uint)s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            composite = first + t;
            return true;
        }
        return s_composition.TryGetValue(PairKey(first, second), out composite);
    }

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;
}
