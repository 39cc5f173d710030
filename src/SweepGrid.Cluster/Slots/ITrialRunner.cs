using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>One attempt as a slot hands it to its runner, on the slot's training thread.</summary>
/// <param name="RequestedAt">When the slot asked for the work that brought this trial (<see cref="System.Diagnostics.Stopwatch"/> ticks).</param>
/// <param name="Token">Stops the attempt at once.</param>
/// <param name="Release">Stops it at the end of its epoch, checkpointed (<see cref="TrialReleasedException"/>): the node is shutting down.</param>
public sealed record TrialRun(TrialSpec Trial, ITrainingObserver Observer, TrainerOptions Options, long RequestedAt, CancellationToken Token, CancellationToken Release = default);

/// <summary>What a training slot runs for a trial: <see cref="Trainer"/> in SweepGrid; a no-op in the dispatch benchmark.</summary>
public interface ITrialRunner
{
    TrialOutcome Run(TrialRun run);
}

/// <summary>Trains the trial with TorchSharp on the slot's device.</summary>
public sealed class TorchTrialRunner : ITrialRunner
{
    public static readonly TorchTrialRunner Instance = new();

    public TrialOutcome Run(TrialRun run) => Trainer.Run(run.Trial, Datasets.Load(run.Trial.Dataset), run.Observer, run.Options, run.Token, run.Release);
}
