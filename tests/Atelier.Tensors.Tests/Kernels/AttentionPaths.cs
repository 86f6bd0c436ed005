using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The instruction-set paths as theory data (by name: test signatures must be public, the enum is internal).</summary>
public static class AttentionPaths
{
    public static TheoryData<string> All => [nameof(AttentionIsa.Scalar), nameof(AttentionIsa.Vector256), nameof(AttentionIsa.Vector512)];

    public static TheoryData<string> Vector => [nameof(AttentionIsa.Vector256), nameof(AttentionIsa.Vector512)];

    /// <summary>The path named <paramref name="path"/>; skips the test when this process cannot run it.</summary>
    internal static AttentionIsa Require(string path)
    {
        var isa = Enum.Parse<AttentionIsa>(path);
        Skip.IfNot(AttentionIsaSupport.IsSupported(isa),
            $"the {isa} path needs instructions this CPU does not offer or DOTNET_EnableHWIntrinsic disables");
        return isa;
    }
}
