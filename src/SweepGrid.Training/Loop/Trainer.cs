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
        long steps = 0;
        EpochRecord? last = null;
        var distances = new List<(double Step, double Distance)>();
        for (int epoch = 1; epoch <= trial.Epochs; epoch++)
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
                return TrialOutcome.Diverged(last, steps, clock.Elapsed.TotalSeconds,
                    $"mini-batch loss {badLoss} in epoch {epoch} (bound {trial.MaxLoss})", LogFit.Of(distances));
            }

            last = session.Evaluate(epoch, steps, clock.Elapsed.TotalSeconds);
            observer.OnEpoch(last);
            // Only non-finite here: a large but finite eval-mode loss early in training is usually batch
            // norm's running statistics lagging the weights, not divergence; the bound judges the
            // mini-batch loss in TrainEpoch.
            if (!double.IsFinite(last.TrainLoss) || !double.IsFinite(last.WeightDistance))
            {
                return TrialOutcome.Diverged(last, steps, clock.Elapsed.TotalSeconds,
                    $"train loss {last.TrainLoss} after epoch {epoch}", LogFit.Of(distances));
            }

            if (epoch == trial.Epochs || trial.MetricsOrDefault.FlatnessEpochs.Contains(epoch))
            {
                foreach (var record in session.MeasureFlatness(epoch)) observer.OnFlatness(record);
            }
        }

        if (options.FinalWeightsPath is { } path) session.SaveWeights(path);
        return TrialOutcome.Completed(last!, clock.Elapsed.TotalSeconds, LogFit.Of(distances));
    }

    public static Device ResolveDevice(string? name) =>
        name is null ? (cuda.is_available() ? CUDA : CPU) : new Device(name);
}
