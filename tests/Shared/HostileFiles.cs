using System.Runtime.InteropServices;

namespace SweepGrid.Tests.Shared;

/// <summary>
/// Files that are not what a reader expects, put where the store or a sweep keeps real ones: each
/// would hang or exhaust a reader that trusts it (a FIFO blocks its open and its read; /dev/zero never ends).
/// </summary>
public static class HostileFiles
{
    /// <summary>Every kind, by name: made at <c>path</c> when called.</summary>
    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["fifo"] = Fifo,
        ["link to /dev/zero"] = path => File.CreateSymbolicLink(path, "/dev/zero"),
        ["link to a regular file"] = path =>
        {
            var target = path + ".target";
            File.WriteAllText(target, "{}\n");
            File.CreateSymbolicLink(path, target);
        },
        ["directory"] = path => Directory.CreateDirectory(path),
    };

    public static void Fifo(string path)
    {
        if (mkfifo(path, 0x180) != 0) throw new IOException($"mkfifo {path} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Runs <paramref name="read"/> with a bound: a reader that blocks fails the test instead of hanging it.</summary>
    public static T Within<T>(TimeSpan limit, Func<T> read)
    {
        var task = Task.Factory.StartNew(read, TaskCreationOptions.LongRunning);
        return task.Wait(limit) ? task.Result : throw new TimeoutException($"the read did not return within {limit.TotalSeconds:F0} s (it blocks on the file)");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);
}
