using System.Globalization;
using Comp.Api.Features.Bands.Index;

namespace Comp.Api.Tests.Features.Bands;

/// <summary>
/// A compaction's copy is built on a thread of its own at nice 10 (Linux), and handed back by a
/// thread at normal priority: a thread inherits the nice value of the thread that starts it, so
/// whatever the hand-over starts (a thread-pool worker) must not be started from the low one.
/// </summary>
public sealed class BackgroundWorkTests
{
    /// <summary>The calling thread's nice value: field 19 of /proc/thread-self/stat (the 17th after the command's closing parenthesis).</summary>
    private static int Nice() =>
        int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(") ")[1].Split(' ')[16], CultureInfo.InvariantCulture);

    private static int NiceOfAThreadStartedHere()
    {
        var nice = -1;
        var thread = new Thread(() => nice = Nice());
        thread.Start();
        thread.Join();
        return nice;
    }

    [Fact]
    public async Task The_work_runs_at_nice_10_and_what_ends_it_starts_threads_at_normal_priority()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var work = BackgroundWork.RunAsync(() => (Nice(), NiceOfAThreadStartedHere()), "test background work");
        var handedOver = work.ContinueWith(_ => (Nice(), NiceOfAThreadStartedHere()), TaskContinuationOptions.ExecuteSynchronously);

        Assert.Equal((10, 10), await work);
        Assert.Equal((0, 0), await handedOver);
    }

    [Fact]
    public async Task An_exception_of_the_work_reaches_the_caller()
    {
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => BackgroundWork.RunAsync<int>(() => throw new InvalidOperationException("refused"), "test background work"));

        Assert.Equal("refused", thrown.Message);
    }
}
