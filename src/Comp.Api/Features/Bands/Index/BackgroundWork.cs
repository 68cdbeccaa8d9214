using System.Runtime.ExceptionServices;
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
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            LowerPriority();
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        // Handed over by a thread at normal priority, not by the low-priority one: a Linux thread inherits
        // the nice value of the thread that starts it, so a thread-pool worker the hand-over happened to
        // start would serve requests at nice 10 for the rest of its life.
        return Task.Factory.StartNew(() =>
        {
            thread.Join();
            failure?.Throw();
            return result;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
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
