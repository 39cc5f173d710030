using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SweepGrid.Tests.Shared;

/// <summary>A `sweepgrid` process (a node or a submitting client) whose output lines are collected as they come.</summary>
public sealed class ClusterProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    /// <param name="environment">Variables set for this process (the store's database, for one).</param>
    public ClusterProcess(string name, IReadOnlyDictionary<string, string> environment, params string[] args)
        : this(name, environment, AppContext.BaseDirectory, args)
    {
    }

    /// <param name="workingDirectory">Where relative paths (a sweep's dataset path, for one) are resolved.</param>
    public ClusterProcess(string name, IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public IReadOnlyList<string> Lines => _lines.ToList();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    private void Add(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _newLine.Release();
    }

    /// <summary>Waits until some line satisfies the predicate; returns it.</summary>
    public async Task<string> WaitForLine(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var hit = _lines.FirstOrDefault(predicate);
            if (hit is not null) return hit;
            if (_process.HasExited && !_lines.Any(predicate))
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before the expected line:\n{string.Join('\n', _lines)}");
            }

            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name}: no expected line within {timeout}:\n{string.Join('\n', _lines.TakeLast(40))}");
            }
        }
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} still running after {timeout}:\n{string.Join('\n', _lines.TakeLast(40))}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as Kubernetes sends a pod it drains or scales away: the process may shut down gracefully.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGKILL of this process alone (not its worker processes): as when the kernel's OOM killer picks it.</summary>
    public void KillAlone()
    {
        if (kill(_process.Id, SigKill) != 0) throw new InvalidOperationException($"kill -KILL {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        _process.WaitForExit();
    }

    private const int SigKill = 9, SigStop = 19, SigCont = 18;

    /// <summary>
    /// SIGSTOP of this process alone: it stops as in a long GC pause or a frozen VM, while its worker
    /// processes run on. Nothing it would do (store an outcome, delete a checkpoint) happens until <see cref="Thaw"/>.
    /// </summary>
    public void Freeze()
    {
        if (kill(_process.Id, SigStop) != 0) throw new InvalidOperationException($"kill -STOP {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>The worker processes this process started (its children), from /proc.</summary>
    public IReadOnlyList<int> Children() =>
        Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == _process.Id).ToList();

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>SIGSTOP or SIGCONT to another process (a worker of this one).</summary>
    public static void Signal(int pid, bool stop)
    {
        if (kill(pid, stop ? SigStop : SigCont) != 0) throw new InvalidOperationException($"kill -{(stop ? "STOP" : "CONT")} {pid} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>SIGCONT: a frozen process carries on where it stopped.</summary>
    public void Thaw()
    {
        if (kill(_process.Id, SigCont) != 0) throw new InvalidOperationException($"kill -CONT {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>SIGKILL of the process and its worker processes: no shutdown hooks, no leaving the cluster, as when a machine dies.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _newLine.Dispose();
    }
}
