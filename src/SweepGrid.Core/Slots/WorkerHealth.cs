using SweepGrid.Core.Workers;

namespace SweepGrid.Core.Slots;

/// <summary>Where a slot's worker process was in its life when it died.</summary>
public enum WorkerPhase
{
    /// <summary>Started, not yet ready (loading libtorch, its data).</summary>
    Starting,

    /// <summary>Ready, with no trial.</summary>
    Idle,

    /// <summary>Training a trial.</summary>
    UnderTrial,

    /// <summary>Its trial has ended (the outcome is being stored, or the trial was handed back).</summary>
    AfterTrial,
}

/// <summary>What the slot does about a worker that died.</summary>
public abstract record WorkerVerdict
{
    /// <summary>Start another after <see cref="Pause"/>; nobody is blamed.</summary>
    public sealed record Restart(TimeSpan Pause) : WorkerVerdict;

    /// <summary>The trial it was running failed through its own fault (counted against max-failures); another worker starts after <see cref="Pause"/>.</summary>
    public sealed record ChargeTrial(string Reason, TimeSpan Pause) : WorkerVerdict;

    /// <summary>The node is shutting down and took the worker with it: the trial is handed back, not charged.</summary>
    public sealed record HandBack : WorkerVerdict;

    /// <summary>
    /// The worker stopped because its node went silent (a freeze longer than its silence limit): the
    /// attempt is abandoned, not charged; the coordinator re-queues the trial as interrupted.
    /// </summary>
    public sealed record Abandon(string Reason) : WorkerVerdict;

    /// <summary>It died after its trial ended: replaced when the slot next needs one, nobody is blamed.</summary>
    public sealed record Replace : WorkerVerdict;

    /// <summary>Workers keep dying before they are ready: this slot cannot train, and says why.</summary>
    public sealed record OutOfService(string Reason) : WorkerVerdict;
}

/// <summary>
/// A slot's record of its worker processes' deaths, and the rules for what a death means. Pure: the
/// slot owns the processes and the clock. A worker that dies under a trial is that trial's failure
/// (a native abort, an out-of-memory kill, a CUDA fault take down their own worker, not the node),
/// unless the node is shutting down; workers that keep dying are restarted after a growing pause, so a
/// broken machine does not drain the queue; workers that never get ready take their slot out of service.
/// </summary>
/// <param name="DeathsInRow">Workers that died in a row; a trial that ends (however) resets it.</param>
/// <param name="FailedStartsInRow">Workers that died before they were ready, in a row.</param>
public sealed record WorkerHealth(int DeathsInRow, int FailedStartsInRow)
{
    /// <summary>A worker that cannot start this many times in a row will not: the slot goes out of service.</summary>
    public const int StartAttempts = 3;

    public static readonly WorkerHealth Fresh = new(0, 0);

    /// <summary>A worker said it is ready: it could start.</summary>
    public WorkerHealth Ready() => this with { FailedStartsInRow = 0 };

    /// <summary>A trial ended on the worker (completed, diverged, or threw inside it): the worker is fine.</summary>
    public WorkerHealth TrialEnded() => this with { DeathsInRow = 0 };

    /// <summary>The worker died in <paramref name="phase"/>; what it means, and the record after it.</summary>
    /// <param name="leaving">The node is shutting down (its worker may die with it).</param>
    /// <param name="exitCode">As .NET reports it: 128 + the signal for a process a signal ended.</param>
    /// <param name="lastError">Its last stderr line, if any.</param>
    public (WorkerHealth Next, WorkerVerdict Verdict) Died(WorkerPhase phase, bool leaving, int exitCode, string? lastError)
    {
        var cause = WorkerExit.Describe(exitCode, lastError);
        switch (phase)
        {
            case WorkerPhase.Starting when FailedStartsInRow + 1 >= StartAttempts:
                return (this with { FailedStartsInRow = FailedStartsInRow + 1 },
                    new WorkerVerdict.OutOfService($"its worker process died {StartAttempts} times before it was ready: {cause}"));
            case WorkerPhase.Starting:
                return Restarted(this with { FailedStartsInRow = FailedStartsInRow + 1 });
            case WorkerPhase.Idle:
                return Restarted(this);
            case WorkerPhase.UnderTrial when leaving:
                return (this, new WorkerVerdict.HandBack());
            case WorkerPhase.UnderTrial when exitCode == WorkerExit.NodeSilent:
                return (this, new WorkerVerdict.Abandon(cause));
            case WorkerPhase.UnderTrial:
                var next = this with { DeathsInRow = DeathsInRow + 1 };
                return (next, new WorkerVerdict.ChargeTrial(cause, Backoff(next.DeathsInRow)));
            default:
                return (this, new WorkerVerdict.Replace());
        }
    }

    private static (WorkerHealth, WorkerVerdict) Restarted(WorkerHealth health)
    {
        var next = health with { DeathsInRow = health.DeathsInRow + 1 };
        return (next, new WorkerVerdict.Restart(Backoff(next.DeathsInRow)));
    }

    /// <summary>The pause before the next worker after <paramref name="deaths"/> in a row: none, then 1 s doubling to a minute.</summary>
    public static TimeSpan Backoff(int deaths) =>
        deaths <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(deaths, 7) - 1)));
}
