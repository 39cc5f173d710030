using System.Diagnostics;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Runs one trial to the end on the calling thread (a worker process's): builds the model from the
/// trial's seed, trains it with the trial's optimizer (SGD with momentum or Adam, sweep.optimizer), and
/// after every epoch evaluates the full train and test sets and ‖w_t − w_0‖. Deterministic on CPU: same
/// trial, same numbers.
/// </summary>
public static class Trainer
{
    public static TrialOutcome Run(TrialSpec trial, DatasetPair data, ITrainingObserver observer, CancellationToken ct) =>
        Run(trial, data, observer, TrainerOptions.Default, ct);

    /// <param name="ct">Stops the trial at once (at the next step): what it did since its last checkpoint is lost.</param>
    /// <param name="release">
    /// Stops the trial at the end of its current epoch, after that epoch's reports and a checkpoint
    /// (when the trial has a checkpoint path), by throwing <see cref="TrialReleasedException"/>: how a
    /// node that is shutting down hands its trials back without losing their work.
    /// </param>
    public static TrialOutcome Run(
        TrialSpec trial, DatasetPair data, ITrainingObserver observer, TrainerOptions options, CancellationToken ct,
        CancellationToken release = default)
    {
        var clock = Stopwatch.StartNew();
        var device = ResolveDevice(options.Device);
        using var session = new TrainingSession(trial, data, device, options);
        IReadOnlyList<string> rejected = [];
        var resumed = options.CheckpointPath is { } checkpoint
            ? Checkpoints.TrialCheckpoint.TryRestore([checkpoint, .. options.EarlierCheckpoints ?? []], trial, session, out rejected)
            : null;
        // A checkpoint passed over is said, not dropped: the trial starts from an older one, or afresh.
        foreach (var reason in rejected) observer.OnCheckpointRejected(reason);
        var log = new ReportLog(observer, options.StoredReports);
        if (resumed is not null) log.Replay(resumed);
        long steps = resumed?.Steps ?? 0;
        double secondsBefore = resumed?.Seconds ?? 0;
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        TrialOutcome Ended(TrialOutcome outcome) => outcome with { ResumedFromEpoch = resumed?.Epoch };

        for (int epoch = (resumed?.Epoch ?? 0) + 1; epoch <= trial.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var epochResult = session.TrainEpoch(ct);
            steps += epochResult.Steps;
            log.Trajectory(session.TakePoints());
            foreach (var walk in session.TakeWalks()) log.Walk(walk);
            if (epochResult.DivergedAt is { } badLoss)
            {
                return Ended(TrialOutcome.Diverged(log.Last, steps, Seconds(),
                    $"mini-batch loss {badLoss} in epoch {epoch} (bound {trial.MaxLoss})", log.Fit.Fit()));
            }

            var last = session.Evaluate(epoch, steps, Seconds());
            log.Epoch(last);
            // Only non-finite here: a large but finite eval-mode loss early in training is usually batch
            // norm's running statistics lagging the weights, not divergence; the bound judges the
            // mini-batch loss in TrainEpoch.
            if (!double.IsFinite(last.TrainLoss) || !double.IsFinite(last.WeightDistance))
            {
                return Ended(TrialOutcome.Diverged(last, steps, Seconds(),
                    $"train loss {last.TrainLoss} after epoch {epoch}", log.Fit.Fit()));
            }

            if (epoch == trial.Epochs || trial.MetricsOrDefault.FlatnessEpochs.Contains(epoch))
            {
                var measured = session.MeasureFlatness(epoch, out var spectrum);
                foreach (var record in measured) log.Measured(record);
                if (spectrum is not null) log.Spectrum(spectrum);
            }

            if (epoch == trial.Epochs) break;
            bool released = release.IsCancellationRequested;
            // After the epoch's reports; the checkpoint carries those the store has not confirmed (see TrialPosition).
            if (options.CheckpointPath is { } path && (released || (trial.CheckpointEveryEpochs > 0 && epoch % trial.CheckpointEveryEpochs == 0)))
            {
                var (pathLength, stepLength) = session.StepLengths;
                var writing = Stopwatch.StartNew();
                var unstored = log.Unstored();
                Checkpoints.TrialCheckpoint.Save(path, session, new Checkpoints.TrialPosition(trial.TrialId, epoch, steps, Seconds(),
                    pathLength, stepLength, unstored.Epochs, unstored.Points, unstored.Walks, unstored.Flatness, log.Last, log.Fit, unstored.Spectra));
                observer.OnCheckpointed(epoch, new FileInfo(path).Length, writing.Elapsed.TotalSeconds);
            }

            if (released) throw new TrialReleasedException(trial.TrialId, epoch, options.CheckpointPath is not null);
        }

        if (options.FinalWeightsPath is { } weights) session.SaveWeights(weights);
        return Ended(TrialOutcome.Completed(log.Last!, Seconds(), log.Fit.Fit()));
    }

    public static Device ResolveDevice(string? name) =>
        name is null ? (cuda.is_available() ? CUDA : CPU) : new Device(name);
}
