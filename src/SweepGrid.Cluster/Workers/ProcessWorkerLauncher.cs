using System.Diagnostics;
using SweepGrid.Core.Workers;

namespace SweepGrid.Cluster.Workers;

/// <summary>Starts each slot's worker as a child process running <paramref name="command"/>.</summary>
public sealed class ProcessWorkerLauncher(WorkerCommand command) : IWorkerLauncher
{
    public WorkerCommand Command { get; } = command;

    public IWorker Start(string slot, WorkerEvents events) => ProcessWorker.Start(Command, slot, events);
}

/// <summary>
/// A worker process: frames to its stdin, frames from its stdout (read on a thread of its own), its
/// stderr lines passed on as they come, and its end reported once both streams are drained.
/// </summary>
internal sealed class ProcessWorker : IWorker
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Lock _inputGate = new();
    private volatile string? _lastError;

    /// <summary>Its memory cgroup, under a <see cref="CgroupLimit"/>: asked at its end whether the kernel killed it for memory.</summary>
    private readonly WorkerCgroup? _group;

    private readonly long _limitBytes;

    private ProcessWorker(Process process, WorkerCgroup? group, long limitBytes)
    {
        _process = process;
        _group = group;
        _limitBytes = limitBytes;
        _input = process.StandardInput.BaseStream;
    }

    public int ProcessId => _process.Id;

    public static ProcessWorker Start(WorkerCommand command, string slot, WorkerEvents events)
    {
        var group = (command.Memory as CgroupLimit)?.Cgroups.Enter();
        var (fileName, arguments) = command.ToStart(group);
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in command.Environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName}: the worker of slot {slot} did not start");
        var worker = new ProcessWorker(process, group, command.Memory?.LimitBytes ?? 0);
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data)) return;
            worker._lastError = e.Data;
            events.ErrorLine(e.Data);
        };
        process.BeginErrorReadLine();
        new Thread(() => worker.ReadFrames(events)) { IsBackground = true, Name = $"worker of {slot}" }.Start();
        return worker;
    }

    private void ReadFrames(WorkerEvents events)
    {
        try
        {
            while (WorkerFrames.Read(_process.StandardOutput.BaseStream) is { } message) events.Message(message);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A worker that writes anything but frames is broken: end it, and report how it ended.
            events.ErrorLine($"worker {_process.Id}: unreadable output ({e.Message}); killing it");
            Kill();
        }

        _process.WaitForExit(); // also drains stderr, so the last line is known
        // The kernel's own record, where there is one: an OOM kill is named as such, not guessed from SIGKILL.
        var lastError = _group?.OutOfMemoryKilled() == true ? WorkerExit.OutOfMemory(_limitBytes) : _lastError;
        _group?.Remove();
        events.Exited(_process.ExitCode, lastError);
    }

    public bool Send(WorkerMessage message)
    {
        lock (_inputGate)
        {
            try
            {
                WorkerFrames.Write(_input, message);
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Closes its input (the worker exits when it reads the end); one still running 10 s later is killed.</summary>
    public void Dispose()
    {
        lock (_inputGate) _input.Dispose();
        _ = Task.Run(async () =>
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        });
    }
}
