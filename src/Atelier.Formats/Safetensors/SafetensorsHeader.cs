using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Unicode;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// The parsed and fully validated JSON header of a safetensors file: tensor entries in header order and the
/// optional <c>__metadata__</c> map in header order (both orders are kept so a file can be rewritten byte for byte).
/// </summary>
/// <remarks>
/// Layout (huggingface/safetensors, <c>safetensors/src/tensor.rs</c>): 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON, then the data section. Validation follows the reference reader
/// (<c>SafeTensors::read_metadata</c> + <c>Metadata::validate</c>) and is stricter where the reference is lax:
/// <list type="bullet">
/// <item>N ≤ 100,000,000 (<c>MAX_HEADER_SIZE</c>) and 8 + N ≤ file length (<c>HeaderTooLarge</c>, <c>InvalidHeaderLength</c>);</item>
/// <item>the header is UTF-8 (<c>InvalidHeader</c>) and one JSON object, trailing whitespace allowed (serde_json);</item>
/// <item>entries sorted by <c>data_offsets</c> must start at 0 and each begin exactly where the previous ended:
///   no gap, no overlap (<c>InvalidOffset</c>); the reference sorts by offsets first, so the header's own key order is free;</item>
/// <item>end − begin = elements × bits / 8, computed without overflow (<c>TensorInvalidInfo</c>, <c>ValidationOverflow</c>,
///   <c>MisalignedSlice</c> for the sub-byte types);</item>
/// <item>the last tensor ends exactly at the end of the file (<c>MetadataIncompleteBuffer</c>).</item>
/// </list>
/// Stricter than the reference: duplicate tensor or metadata keys are rejected (serde keeps the last silently), an
/// entry must have exactly <c>dtype</c>, <c>shape</c>, <c>data_offsets</c> (serde ignores extra fields). Like the reference,
/// <c>"__metadata__": null</c> means no metadata.
/// </remarks>
internal sealed class SafetensorsHeader
{
    /// <summary>The reference library's bound on N (<c>MAX_HEADER_SIZE</c>).</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    private SafetensorsHeader(List<SafetensorsTensorInfo> tensors, List<KeyValuePair<string, string>>? metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    public List<SafetensorsTensorInfo> Tensors { get; }

    public List<KeyValuePair<string, string>>? Metadata { get; }

    /// <summary>Parses and validates <paramref name="json"/> (the N header bytes) against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        if (!Utf8.IsValid(json))
            throw new SafetensorsFormatException(path, null, "header", $"the {json.Length}-byte JSON header is not valid UTF-8.");

        if (json.Trim(" \t\r\n"u8).IsEmpty)
            throw new SafetensorsFormatException(path, null, "header", $"the {json.Length}-byte JSON header is empty (only whitespace); expected an object.");

        var tensors = new List<SafetensorsTensorInfo>();
        List<KeyValuePair<string, string>>? metadata = null;
        bool sawMetadata = false;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        try
        {
            Read(ref reader, path, null);
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new SafetensorsFormatException(path, null, "header", $"the JSON header must be an object, found {Describe(reader.TokenType)}.");
            while (true)
            {
                Read(ref reader, path, null);
                if (reader.TokenType == JsonTokenType.EndObject)
                    break;
                string name = reader.GetString()!;
                if (name == MetadataKey)
                {
                    if (sawMetadata)
                        throw new SafetensorsFormatException(path, null, MetadataKey, "the key appears twice.");
                    sawMetadata = true;
                    metadata = ReadMetadata(ref reader, path);
                    continue;
                }
                if (!names.Add(name))
                    throw new SafetensorsFormatException(path, name, null, "the tensor name appears twice in the header; names must be unique.");
                tensors.Add(ReadEntry(ref reader, name, dataLength, path));
            }
            // Only whitespace may follow the object (the reference pads with spaces; serde_json allows any JSON whitespace).
            if (reader.Read())
                throw new SafetensorsFormatException(path, null, "header", $"unexpected {Describe(reader.TokenType)} after the header object.");
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, "header", $"the header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on an escape that is not valid UTF-16 (e.g. a lone surrogate "\ud800").
            throw new SafetensorsFormatException(path, null, "header", $"the header holds a string that cannot be decoded: {e.Message}", e);
        }

        CheckTiling(tensors, dataLength, path);
        return new SafetensorsHeader(tensors, metadata);
    }

    private static List<KeyValuePair<string, string>>? ReadMetadata(ref Utf8JsonReader reader, string path)
    {
        Read(ref reader, path, null);
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(path, null, MetadataKey, $"expected an object mapping strings to strings, found {Describe(reader.TokenType)}.");
        var entries = new List<KeyValuePair<string, string>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            Read(ref reader, path, null);
            if (reader.TokenType == JsonTokenType.EndObject)
                return entries;
            string key = reader.GetString()!;
            if (!keys.Add(key))
                throw new SafetensorsFormatException(path, null, MetadataKey, $"key '{key}' appears twice.");
            Read(ref reader, path, null);
            if (reader.TokenType != JsonTokenType.String)
                throw new SafetensorsFormatException(path, null, MetadataKey, $"the value of '{key}' must be a string, found {Describe(reader.TokenType)} (metadata is a string-to-string map).");
            entries.Add(new KeyValuePair<string, string>(key, reader.GetString()!));
        }
    }

    private static SafetensorsTensorInfo ReadEntry(ref Utf8JsonReader reader, string name, long dataLength, string path)
    {
        Read(ref reader, path, name);
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsFormatException(path, name, null, $"the entry must be an object with dtype, shape and data_offsets, found {Describe(reader.TokenType)}.");

        SafetensorsDType? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Read(ref reader, path, name);
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    if (dtype is not null)
                        throw new SafetensorsFormatException(path, name, field, "the field appears twice.");
                    Read(ref reader, path, name);
                    if (reader.TokenType != JsonTokenType.String)
                        throw new SafetensorsFormatException(path, name, field, $"expected a string such as \"F32\", found {Describe(reader.TokenType)}.");
                    string text = reader.GetString()!;
                    if (!SafetensorsDTypeExtensions.TryParse(text, out SafetensorsDType parsed))
                        throw new SafetensorsFormatException(path, name, field, $"unknown dtype \"{Truncate(text)}\"; known: {SafetensorsDTypeExtensions.KnownNames}.");
                    dtype = parsed;
                    break;
                case "shape":
                    if (shape is not null)
                        throw new SafetensorsFormatException(path, name, field, "the field appears twice.");
                    shape = ReadIntegers(ref reader, path, name, field, exactCount: -1);
                    break;
                case "data_offsets":
                    if (offsets is not null)
                        throw new SafetensorsFormatException(path, name, field, "the field appears twice.");
                    offsets = ReadIntegers(ref reader, path, name, field, exactCount: 2);
                    break;
                default:
                    throw new SafetensorsFormatException(path, name, Truncate(field), "unexpected field; an entry has exactly dtype, shape and data_offsets.");
            }
        }
        if (dtype is null)
            throw new SafetensorsFormatException(path, name, "dtype", "the field is missing.");
        if (shape is null)
            throw new SafetensorsFormatException(path, name, "shape", "the field is missing.");
        if (offsets is null)
            throw new SafetensorsFormatException(path, name, "data_offsets", "the field is missing.");

        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw new SafetensorsFormatException(path, name, "data_offsets", $"[{begin}, {end}] is reversed: begin must not exceed end.");
        if (end > dataLength)
            throw new SafetensorsFormatException(path, name, "data_offsets", $"[{begin}, {end}] extends beyond the data section, which holds {dataLength} bytes (file truncated?).");

        long elements = 1;
        foreach (long dim in shape)
        {
            if (!TryMultiply(elements, dim, out elements))
                throw new SafetensorsFormatException(path, name, "shape", $"[{string.Join(", ", shape)}] has more elements than fit in 64 bits.");
        }
        int bits = dtype.Value.BitSize();
        if (!TryMultiply(elements, bits, out long totalBits))
            throw new SafetensorsFormatException(path, name, "shape", $"[{string.Join(", ", shape)}] of {dtype.Value.ToHeaderString()} is more bits than fit in 64 bits.");
        if (totalBits % 8 != 0)
            throw new SafetensorsFormatException(path, name, "shape", $"{elements} elements of {dtype.Value.ToHeaderString()} ({bits} bits each) do not fill whole bytes.");
        long expected = totalBits / 8;
        if (end - begin != expected)
            throw new SafetensorsFormatException(path, name, "data_offsets",
                $"[{begin}, {end}] spans {end - begin} bytes, but shape [{string.Join(", ", shape)}] of {dtype.Value.ToHeaderString()} needs {expected} bytes.");

        return new SafetensorsTensorInfo(name, dtype.Value, ImmutableArray.Create(shape), elements, begin, end);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string path, string name, string field, int exactCount)
    {
        Read(ref reader, path, name);
        string expectation = exactCount == 2 ? "an array of two non-negative integers [begin, end]" : "an array of non-negative integers";
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new SafetensorsFormatException(path, name, field, $"expected {expectation}, found {Describe(reader.TokenType)}.");
        var values = new List<long>();
        while (true)
        {
            Read(ref reader, path, name);
            if (reader.TokenType == JsonTokenType.EndArray)
                break;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                string found = reader.TokenType == JsonTokenType.Number ? Truncate(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)) : Describe(reader.TokenType);
                throw new SafetensorsFormatException(path, name, field, $"element {values.Count} must be a non-negative integer, found {found}.");
            }
            if (exactCount > 0 && values.Count == exactCount)
                throw new SafetensorsFormatException(path, name, field, $"expected {expectation}, found more than {exactCount} elements.");
            values.Add(value);
        }
        if (exactCount > 0 && values.Count != exactCount)
            throw new SafetensorsFormatException(path, name, field, $"expected {expectation}, found {values.Count} element(s).");
        return [.. values];
    }

    /// <summary>
    /// Sorted by offsets, the tensors must tile [0, dataLength) exactly (reference: <c>Metadata::validate</c> requires
    /// each begin to equal the previous end, and <c>read_metadata</c> requires the last end to be the end of the file).
    /// </summary>
    private static void CheckTiling(List<SafetensorsTensorInfo> tensors, long dataLength, string path)
    {
        var sorted = tensors.ToArray();
        Array.Sort(sorted, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var tensor in sorted)
        {
            if (tensor.Begin > position)
            {
                string after = previous is null ? "the start of the data section" : $"the end of '{previous.Name}' (byte {position})";
                throw new SafetensorsFormatException(path, tensor.Name, "data_offsets",
                    $"[{tensor.Begin}, {tensor.End}] leaves a gap of {tensor.Begin - position} bytes after {after}; " +
                    "tensors must tile the data section with no gaps (the reference library rejects this as InvalidOffset).");
            }
            if (tensor.Begin < position)
            {
                throw new SafetensorsFormatException(path, tensor.Name, "data_offsets",
                    $"[{tensor.Begin}, {tensor.End}] overlaps '{previous!.Name}' [{previous.Begin}, {previous.End}]; tensors must not overlap.");
            }
            position = tensor.End;
            previous = tensor;
        }
        if (position != dataLength)
        {
            throw new SafetensorsFormatException(path, null, "data_offsets",
                $"the tensors cover {position} bytes but the data section holds {dataLength}: {dataLength - position} trailing bytes belong to no tensor " +
                "(the reference library rejects this as MetadataIncompleteBuffer).");
        }
    }

    private static void Read(ref Utf8JsonReader reader, string path, string? tensor)
    {
        if (!reader.Read())
            throw new SafetensorsFormatException(path, tensor, "header", "the header is not valid JSON: it ends in the middle of a value.");
    }

    private static bool TryMultiply(long a, long b, out long product)
    {
        Int128 wide = (Int128)a * b;
        if (wide > long.MaxValue)
        {
            product = 0;
            return false;
        }
        product = (long)wide;
        return true;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
