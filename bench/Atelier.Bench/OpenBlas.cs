using System.Runtime.InteropServices;

namespace Atelier.Bench;

/// <summary>
/// OpenBLAS's cblas_sgemm, loaded at run time from Debian's libopenblas0-pthread as the yardstick for our GEMM.
/// OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS are read by the library when it loads, and .NET does not pass
/// its own environment changes to native code on Linux, so they are set with libc's setenv first.
/// </summary>
internal static unsafe class OpenBlas
{
    private const string LibraryPath = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static nint s_library;
    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static delegate* unmanaged<int, void> s_setThreads;

    /// <summary>Why OpenBLAS is unavailable, or null once loaded.</summary>
    public static string? Unavailable { get; private set; } = "not loaded";

    /// <summary>The kernel family OpenBLAS selected (openblas_get_corename).</summary>
    public static string CoreName { get; private set; } = "?";

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    public static bool TryLoad(int threads)
    {
        if (s_library != 0) { s_setThreads(threads); return true; }
        if (!File.Exists(LibraryPath))
        {
            Unavailable = $"{LibraryPath} is absent (apt-get install -y libopenblas0-pthread)";
            return false;
        }
        SetEnv("OPENBLAS_CORETYPE", Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "SkylakeX", 1);
        SetEnv("OPENBLAS_NUM_THREADS", threads.ToString(), 1);
        s_library = NativeLibrary.Load(LibraryPath);
        s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(s_library, "cblas_sgemm");
        s_setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(s_library, "openblas_set_num_threads");
        if (NativeLibrary.TryGetExport(s_library, "openblas_get_corename", out nint coreName))
            CoreName = Marshal.PtrToStringAnsi(((delegate* unmanaged<nint>)coreName)()) ?? "?";
        s_setThreads(threads);
        Unavailable = null;
        return true;
    }

    /// <summary>C[M,N] = A[M,K]·B[K,N] (+ beta·C), all row-major; transB reads B as Bᵀ stored [N,K].</summary>
    public static void Sgemm(int m, int n, int k, float* a, int lda, float* b, int ldb, bool transB, float* c, int ldc, float beta = 0f)
        => s_sgemm(RowMajor, NoTrans, transB ? Trans : NoTrans, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
}
