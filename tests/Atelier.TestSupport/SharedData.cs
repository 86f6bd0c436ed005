using Xunit;

namespace Atelier.TestSupport;

/// <summary>
/// Locates <c>../shared/</c> (beside the repository root): reference fixtures that tests may read but the
/// project never copies. A fresh clone without it still passes: tests that need it skip with a reason.
/// Set <c>ATELIER_SHARED</c> to point elsewhere.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> s_root = new(Locate);

    /// <summary>The repository root (the folder holding Atelier.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Root => s_root.Value;

    /// <summary>Path under the shared folder; skips the calling test when the folder or file is absent.</summary>
    public static string Require(string relativePath)
    {
        string? root = Root;
        Skip.If(root is null, "../shared/ is absent beside the repository (set ATELIER_SHARED to use another copy); this test needs its reference fixtures.");
        string path = Path.Combine(root!, relativePath);
        Skip.If(!File.Exists(path) && !Directory.Exists(path), $"{path} is absent; this test needs it.");
        return path;
    }

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("ATELIER_SHARED");
        if (!string.IsNullOrEmpty(env))
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        string candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Atelier.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"Atelier.slnx not found above {AppContext.BaseDirectory}.");
    }
}
