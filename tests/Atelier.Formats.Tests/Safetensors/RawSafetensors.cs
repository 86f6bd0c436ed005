using System.Buffers.Binary;
using System.Text;

namespace Atelier.Formats.Tests.Safetensors;

/// <summary>Builds safetensors bytes by hand (header text + data), so tests can produce any malformation.</summary>
internal static class RawSafetensors
{
    /// <summary>8-byte length + header (space-padded to 8 when <paramref name="pad"/>) + data.</summary>
    public static byte[] Build(string header, ReadOnlySpan<byte> data, bool pad = true, ulong? lyingLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padded = pad ? (json.Length + 7) / 8 * 8 : json.Length;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, lyingLength ?? (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(bytes.AsSpan(8 + padded));
        return bytes;
    }

    /// <summary>
    /// A small valid file: metadata, an F32 [2,3], an I64 [2] scalar pair and a U8 [4] (reference order: I64, F32, U8),
    /// 24 + 16 + 4 = 44 data bytes, each byte distinct.
    /// </summary>
    public const string ValidHeader =
        "{\"__metadata__\":{\"format\":\"pt\"}," +
        "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
        "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}," +
        "\"mask\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[40,44]}}";

    public static byte[] ValidData()
    {
        var data = new byte[44];
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(i + 1);
        return data;
    }

    public static byte[] Valid() => Build(ValidHeader, ValidData());
}
