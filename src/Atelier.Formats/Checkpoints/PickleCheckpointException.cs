namespace Atelier.Formats.Checkpoints;

/// <summary>
/// A PyTorch pickle checkpoint (<c>.ckpt</c>, <c>.bin</c>, <c>.pt</c>, <c>.pth</c>, recognised by content) was offered.
/// Atelier never unpickles: the message says why and how the user can convert the file to safetensors themselves.
/// </summary>
public sealed class PickleCheckpointException : NotSupportedException
{
    private PickleCheckpointException(string path, string message)
        : base(message) => Path = path;

    public string Path { get; }

    internal static PickleCheckpointException For(string path, string evidence) => new(path,
        $"{path} is a PyTorch pickle checkpoint ({evidence}). Atelier does not load pickle files: unpickling can run " +
        "arbitrary code hidden in the file. Convert it to safetensors once, in a Python environment you trust, e.g.\n" +
        $"  python -c \"import torch, safetensors.torch as st; sd = torch.load('{System.IO.Path.GetFileName(path)}', map_location='cpu', weights_only=True); " +
        "st.save_file({k: v.contiguous() for k, v in sd.get('state_dict', sd).items()}, 'model.safetensors')\"\n" +
        "(weights_only=True limits unpickling to tensors and plain containers), then open the .safetensors file. " +
        "For a diffusers or transformers folder, save_pretrained(..., safe_serialization=True) writes safetensors.");
}
