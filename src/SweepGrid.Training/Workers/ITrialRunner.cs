using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Workers;

/// <summary>One attempt as a worker hands it to its runner, on the worker's training thread.</summary>
/// <param name="Token">Stops the attempt at once.</param>
/// <param name="Release">Stops it after its current step, checkpointed (<see cref="TrialReleasedException"/>): the node is shutting down, or the sweep was paused or cancelled.</param>
public sealed record TrialRun(TrialSpec Trial, ITrainingObserver Observer, TrainerOptions Options, CancellationToken Token, CancellationToken Release = default);

/// <summary>What a worker runs for a trial: <see cref="Trainer"/> in SweepGrid; a no-op in the dispatch and scale benchmarks.</summary>
public interface ITrialRunner
{
    TrialOutcome Run(TrialRun run);
}

/// <summary>Trains the trial with TorchSharp on the worker's device.</summary>
public sealed class TorchTrialRunner : ITrialRunner
{
    public static readonly TorchTrialRunner Instance = new();

    public TrialOutcome Run(TrialRun run) => Trainer.Run(run.Trial, Datasets.Load(run.Trial.Dataset), run.Observer, run.Options, run.Token, run.Release);
}
