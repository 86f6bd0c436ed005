namespace Atelier.Models.Mini;

/// <summary>The image towers CLIP-mini can be built with (<see cref="MiniClipConfig.ImageTower"/>).</summary>
public static class MiniClipImageTowers
{
    public const string ResNet = "resnet";
    public const string Vit = "vit";
}
