namespace Atelier.Diffusion.Generation;

/// <summary>
/// AUTOMATIC1111's names for the samplers of <see cref="Schedulers.SchedulerRegistry"/> (the "Sampler:" field of
/// its parameters text), so tools that read that text recognise ours.
/// </summary>
public static class SamplerLabels
{
    /// <summary>The label of a short name; an unknown name is returned unchanged.</summary>
    public static string Of(string sampler) => sampler switch
    {
        "ddim" => "DDIM",
        "ddpm" => "DDPM",
        "dpmpp_2m" => "DPM++ 2M",
        "dpmpp_2m_karras" => "DPM++ 2M Karras",
        "euler" => "Euler",
        "euler_a" => "Euler a",
        "heun" => "Heun",
        "lcm" => "LCM",
        "lms" => "LMS",
        "pndm" => "PLMS",
        _ => sampler,
    };
}
