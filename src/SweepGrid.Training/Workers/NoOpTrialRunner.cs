using SweepGrid.Core.Workers;
using SweepGrid.Core.Results;

namespace SweepGrid.Training.Workers;

/// <summary>
/// Runs no training: reports one epoch and completes, after sleeping <see cref="Duration"/>; released
/// during its sleep (a node shutting down, its sweep paused or cancelled) it stops as a trial stops
/// mid-epoch, with nothing to checkpoint. Every
/// trial still costs what a real one costs in bookkeeping (a worker round trip, an assignment
/// journaled, two reports journaled and written to the tables, a finish journaled), which is what the
/// dispatch and scale benchmarks and the cluster-scale tests measure. Chosen with the hidden option
/// `--trial-runner noop[:SECONDS]` of `node` and `run`; a worker running it never loads libtorch.
/// </summary>
public sealed class NoOpTrialRunner(TimeSpan duration) : ITrialRunner
{
    public TimeSpan Duration { get; } = duration;

    public TrialOutcome Run(TrialRun run)
    {
        if (Duration > TimeSpan.Zero && run.Release.WaitHandle.WaitOne(Duration)) throw new Loop.TrialReleasedException(run.Trial.TrialId, 0, checkpointed: false);
        var epoch = new EpochRecord(1, 1, run.Trial.LearningRate, 1, 0.5, 1, 0.5, 0, Duration.TotalSeconds);
        run.Observer.OnEpoch(epoch);
        return new TrialOutcome(TrialStatus.Completed, epoch, 1, Duration.TotalSeconds, null);
    }

    /// <summary>"noop" or "noop:SECONDS" (<see cref="TrialRunnerChoice.NoOpDuration"/>); null for anything else.</summary>
    public static NoOpTrialRunner? Parse(string text) => TrialRunnerChoice.NoOpDuration(text) is { } duration ? new NoOpTrialRunner(duration) : null;
}
