using SweepGrid.Core.Workers;

namespace SweepGrid.Cluster.Workers;

/// <summary>
/// How a training slot gets the worker that runs its trials: a child process in SweepGrid
/// (<see cref="ProcessWorkerLauncher"/>); the same worker loop on a thread, in tests of the actors.
/// </summary>
public interface IWorkerLauncher
{
    /// <summary>Starts a worker; what it says arrives through <paramref name="events"/>, on threads of their own.</summary>
    IWorker Start(string slot, WorkerEvents events);
}

/// <param name="Message">Each frame the worker writes, in order.</param>
/// <param name="ErrorLine">Each line it writes to stderr (its log, a native library's last words).</param>
/// <param name="Exited">Once, after its last frame and line: its exit code (128 + the signal, for a signal) and its last stderr line.</param>
public sealed record WorkerEvents(Action<WorkerMessage> Message, Action<string> ErrorLine, Action<int, string?> Exited);

/// <summary>A started worker. Disposing it closes its input, after which it exits; <see cref="Kill"/> ends it at once.</summary>
public interface IWorker : IDisposable
{
    int ProcessId { get; }

    /// <summary>Writes a frame to the worker; false if it can no longer be written to (the worker is gone).</summary>
    bool Send(WorkerMessage message);

    /// <summary>Ends the worker now, whatever it is doing (SIGKILL for a process).</summary>
    void Kill();
}
