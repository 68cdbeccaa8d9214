using System.Runtime.InteropServices;

namespace Comp.Api.Features.Bands.Index;

/// <summary>
/// Work nobody waits for, run where it yields the CPU to requests: on a thread of its own at nice
/// 10 on Linux (a thread may always lower its own priority), so that on cores shared with
/// requests, PostgreSQL and the GC, a compaction's burst of copying takes the CPU they leave
/// rather than a fair share of it. Elsewhere, or if the call fails, at normal priority.
/// </summary>
internal static class BackgroundWork
{
    private const int Nice = 10;

    public static Task<T> RunAsync<T>(Func<T> work, string name)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            LowerPriority();
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            // PRIO_PROCESS with a thread id sets that thread's nice value (Linux threads are tasks).
            _ = SetPriority(0, GetThreadId(), Nice);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No glibc gettid/setpriority: the work runs at normal priority.
        }
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
