using System.Runtime.InteropServices;

namespace Atelier.Bench;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>). With one engine thread all
/// work runs on the caller, so this measures the work without the time the thread waited for a core — usable while
/// other processes share the machine (cache and memory-bandwidth sharing still add noise). Null where unsupported.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Seconds of CPU the current thread has used, or null when the clock is unavailable.</summary>
    public static double? Now()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out TimeSpec t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }
}
