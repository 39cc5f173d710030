using Akka.Actor;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Slots;
using SweepGrid.Core.Workers;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// A training slot's worker process, as the slot's actor holds it: started through the launcher (a
/// trial never runs in the node's process), numbered by generation so that a replaced worker's last
/// words are recognised as stale, killed or closed, and its deaths judged by <see cref="WorkerHealth"/>.
/// What the worker says arrives at the slot as <see cref="FromWorker"/>, <see cref="Line"/> and
/// <see cref="Gone"/> messages, tagged with the generation; never as fields written from another thread.
/// </summary>
internal sealed class SlotWorker(string slotId, IWorkerLauncher launcher)
{
    public sealed record FromWorker(int Generation, WorkerMessage Message);

    public sealed record Gone(int Generation, int ExitCode, string? LastError);

    public sealed record Line(int Generation, string Text);

    private IWorker? _worker;
    private int _generation;

    public WorkerHealth Health { get; private set; } = WorkerHealth.Fresh;

    /// <summary>A worker process is running (or starting).</summary>
    public bool Running => _worker is not null;

    public bool IsCurrent(int generation) => generation == _generation;

    /// <summary>Starts a new worker; what it says goes to <paramref name="slot"/>.</summary>
    public void Launch(IActorRef slot)
    {
        int generation = ++_generation;
        _worker = launcher.Start(slotId, new WorkerEvents(
            message => slot.Tell(new FromWorker(generation, message)),
            line => slot.Tell(new Line(generation, line)),
            (code, lastError) => slot.Tell(new Gone(generation, code, lastError))));
    }

    /// <summary>Writes a frame to the worker; false if there is none, or it can no longer be written to.</summary>
    public bool Send(WorkerMessage message) => _worker?.Send(message) == true;

    /// <summary>Ends the worker now; whatever it still says is stale.</summary>
    public void Kill()
    {
        _worker?.Kill();
        _worker?.Dispose();
        _worker = null;
        _generation++;
    }

    /// <summary>Closes the worker's input, after which it exits on its own (the node is leaving).</summary>
    public void Close()
    {
        _worker?.Dispose();
        _worker = null;
    }

    public void Ready() => Health = Health.Ready();

    public void TrialEnded() => Health = Health.TrialEnded();

    /// <summary>The current worker died in <paramref name="phase"/>: what that means (<see cref="WorkerHealth.Died"/>).</summary>
    public WorkerVerdict Died(Gone gone, WorkerPhase phase, bool leaving)
    {
        _worker = null;
        (Health, var verdict) = Health.Died(phase, leaving, gone.ExitCode, gone.LastError);
        return verdict;
    }

    /// <summary>The worker died, and no state cares why (its trial was already handed back).</summary>
    public void Lost() => _worker = null;
}
