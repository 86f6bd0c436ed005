using Atelier.Formats.Checkpoints;
using Atelier.Nn;

namespace Atelier.Models.Clip;

/// <summary>The stack of text layers, registered as <c>layers.N</c> (transformers <c>CLIPEncoder</c>).</summary>
public sealed class ClipEncoder : Module
{
    public ClipEncoder(ClipTextConfig config)
    {
        Layers = Add("layers", new ModuleList<ClipEncoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new ClipEncoderLayer(config))));
    }

    public ModuleList<ClipEncoderLayer> Layers { get; }
}
