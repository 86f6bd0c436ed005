namespace Atelier.Diffusion.Schedulers;

/// <summary>Refuses config values diffusers accepts but Atelier does not implement, naming the class, field and why.</summary>
internal static class Unsupported
{
    public static void If(bool condition, string className, string field, string value, string reason)
    {
        if (condition)
            throw new NotSupportedException($"{className} config: {field} = {value} is not supported by Atelier ({reason}).");
    }

    public const string Thresholding = "dynamic thresholding (Saharia et al. 2022) is for pixel-space models; Stable Diffusion configs leave it off";
}
