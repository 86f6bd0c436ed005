using System.Buffers;
using System.Globalization;
using System.Text;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// Writes a header exactly as the reference library does: serde_json's compact form (no spaces; tensor fields in the
/// order dtype, shape, data_offsets; <c>__metadata__</c> first), padded with spaces to a multiple of 8 bytes.
/// Strings are escaped like serde_json: <c>\"</c>, <c>\\</c>, <c>\b \t \n \f \r</c>, other control characters as
/// <c>\u00xx</c> (lowercase hex); everything else, non-ASCII included, is written as raw UTF-8.
/// </summary>
internal static class SafetensorsHeaderWriter
{
    // Throws on a lone surrogate instead of writing U+FFFD: a name must survive the round trip unchanged.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Build(IReadOnlyList<SafetensorsTensorSpec> tensors, IReadOnlyList<KeyValuePair<string, string>>? metadata)
    {
        var json = new ArrayBufferWriter<byte>(64 + tensors.Count * 96);
        Append(json, "{");
        bool first = true;
        if (metadata is not null)
        {
            Append(json, "\"" + SafetensorsHeader.MetadataKey + "\":{");
            for (int i = 0; i < metadata.Count; i++)
            {
                if (i > 0) Append(json, ",");
                AppendString(json, metadata[i].Key);
                Append(json, ":");
                AppendString(json, metadata[i].Value);
            }
            Append(json, "}");
            first = false;
        }
        long offset = 0;
        foreach (var tensor in tensors)
        {
            if (!first) Append(json, ",");
            first = false;
            AppendString(json, tensor.Name);
            Append(json, ":{\"dtype\":\"");
            Append(json, tensor.DType.ToHeaderString());
            Append(json, "\",\"shape\":[");
            for (int d = 0; d < tensor.Shape.Length; d++)
            {
                if (d > 0) Append(json, ",");
                Append(json, tensor.Shape[d].ToString(CultureInfo.InvariantCulture));
            }
            long end = offset + tensor.ByteLength;
            Append(json, $"],\"data_offsets\":[{offset.ToString(CultureInfo.InvariantCulture)},{end.ToString(CultureInfo.InvariantCulture)}]}}");
            offset = end;
        }
        Append(json, "}");
        int padded = (json.WrittenCount + 7) / 8 * 8;
        var result = new byte[padded];
        json.WrittenSpan.CopyTo(result);
        result.AsSpan(json.WrittenCount).Fill((byte)' ');
        return result;
    }

    private static void Append(ArrayBufferWriter<byte> json, string ascii)
    {
        var span = json.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++)
            span[i] = (byte)ascii[i];
        json.Advance(ascii.Length);
    }

    private static void AppendString(ArrayBufferWriter<byte> json, string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\t': builder.Append("\\t"); break;
                case '\n': builder.Append("\\n"); break;
                case '\f': builder.Append("\\f"); break;
                case '\r': builder.Append("\\r"); break;
                default:
                    if (c < 0x20)
                        builder.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else
                        builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
        string escaped = builder.ToString();
        int count = s_strictUtf8.GetByteCount(escaped);
        s_strictUtf8.GetBytes(escaped, json.GetSpan(count));
        json.Advance(count);
    }
}
