namespace Atelier.Formats.Safetensors;

/// <summary>The order in which the writer lays out tensors (header order = data order).</summary>
public enum SafetensorsTensorOrder
{
    /// <summary>
    /// The reference library's order (huggingface/safetensors <c>prepare</c>): descending dtype in the order of
    /// <see cref="SafetensorsDType"/> (so wider types first, keeping data aligned), then by name in UTF-8 byte order.
    /// Files written by <c>safetensors.torch.save_file</c> use it.
    /// </summary>
    Reference,

    /// <summary>The order the tensors were given in (to reproduce an existing file's layout).</summary>
    AsGiven,
}
