using System.IO.Compression;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Recognises PyTorch pickle checkpoints by content (the extension is only a hint): the zip format of
/// <c>torch.save</c> since 1.6 (an archive holding <c>&lt;name&gt;/data.pkl</c>) and the legacy raw pickle stream
/// (protocol header <c>0x80 0x02</c>..<c>0x80 0x05</c>).
/// </summary>
internal static class PickleDetector
{
    /// <summary>What gave the file away, or null when it is not a pickle checkpoint.</summary>
    public static string? Detect(string path)
    {
        Span<byte> head = stackalloc byte[9];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];

        if (read >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            return FindPickleEntry(path) is { } entry ? $"a zip archive holding '{entry}', the format of torch.save" : null;

        // A safetensors file whose header length happens to start with 0x80 0x0N still has '{' right after the 8
        // length bytes; a pickle stream has an opcode there.
        if (read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5 && (read < 9 || head[8] != (byte)'{'))
            return $"a raw pickle stream, protocol {head[1]} (header bytes 0x80 0x{head[1]:x2})";
        return null;
    }

    private static string? FindPickleEntry(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName == "data.pkl" || entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
                    return entry.FullName;
            }
            return null;
        }
        catch (InvalidDataException)
        {
            // A damaged archive that starts like a zip: still not something to unpickle; call it by its header.
            return "(unreadable zip directory)";
        }
    }
}
