using System.Diagnostics;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Runs one trial to the end on the calling thread (which must not be an actor's): builds the model
/// from the trial's seed, trains with SGD, and after every epoch evaluates the full train and test
/// sets and ‖w_t − w_0‖. Deterministic on CPU: same trial, same numbers.
/// </summary>
public static class Trainer
{
    public static TrialOutcome Run(TrialSpec trial, DatasetPair data, ITrainingObserver observer, CancellationToken ct) =>
        Run(trial, data, observer, TrainerOptions.Default, ct);

    public static TrialOutcome Run(
        TrialSpec trial, DatasetPair data, ITrainingObserver observer, TrainerOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var device = ResolveDevice(options.Device);
        using var session = new TrainingSession(trial, data, device, options);
        var resumed = options.CheckpointPath is { } checkpoint
            ? Checkpoints.TrialCheckpoint.TryRestore(checkpoint, trial, session, out _)
            : null;
        long steps = resumed?.Steps ?? 0;
        EpochRecord? last = resumed?.Last;
        var distances = resumed?.DistancePoints() ?? [];
        double secondsBefore = resumed?.Seconds ?? 0;
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        if (resumed is not null) observer.OnResumed(resumed.Epoch);
        TrialOutcome Ended(TrialOutcome outcome) => outcome with { ResumedFromEpoch = resumed?.Epoch };

        for (int epoch = (resumed?.Epoch ?? 0) + 1; epoch <= trial.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var epochResult = session.TrainEpoch(ct);
            steps += epochResult.Steps;
            var points = session.TakePoints();
            distances.AddRange(points.Select(p => ((double)p.Step, p.WeightDistance)));
            observer.OnTrajectory(points);
            foreach (var walk in session.TakeWalks()) observer.OnWalk(walk);
            if (epochResult.DivergedAt is { } badLoss)
            {
                return Ended(TrialOutcome.Diverged(last, steps, Seconds(),
                    $"mini-batch loss {badLoss} in epoch {epoch} (bound {trial.MaxLoss})", LogFit.Of(distances)));
            }

            last = session.Evaluate(epoch, steps, Seconds());
            observer.OnEpoch(last);
            // Only non-finite here: a large but finite eval-mode loss early in training is usually batch
            // norm's running statistics lagging the weights, not divergence; the bound judges the
            // mini-batch loss in TrainEpoch.
            if (!double.IsFinite(last.TrainLoss) || !double.IsFinite(last.WeightDistance))
            {
                return Ended(TrialOutcome.Diverged(last, steps, Seconds(),
                    $"train loss {last.TrainLoss} after epoch {epoch}", LogFit.Of(distances)));
            }

            if (epoch == trial.Epochs || trial.MetricsOrDefault.FlatnessEpochs.Contains(epoch))
            {
                foreach (var record in session.MeasureFlatness(epoch)) observer.OnFlatness(record);
            }

            // After the epoch's reports, so a resumed run re-reports nothing it had not finished.
            if (options.CheckpointPath is { } path && trial.CheckpointEveryEpochs > 0 && epoch % trial.CheckpointEveryEpochs == 0 && epoch < trial.Epochs)
            {
                var (pathLength, stepLength) = session.StepLengths;
                Checkpoints.TrialCheckpoint.Save(path, session, new Checkpoints.TrialPosition(trial.TrialId, epoch, steps, Seconds(),
                    pathLength, stepLength, distances.Select(d => new[] { d.Step, d.Distance }).ToList(), last));
            }
        }

        if (options.FinalWeightsPath is { } weights) session.SaveWeights(weights);
        return Ended(TrialOutcome.Completed(last!, Seconds(), LogFit.Of(distances)));
    }

    public static Device ResolveDevice(string? name) =>
        name is null ? (cuda.is_available() ? CUDA : CPU) : new Device(name);
}
