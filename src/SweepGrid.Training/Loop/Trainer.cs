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
    /// Stops the trial after the step it is taking, writes a checkpoint of that step (when the trial
    /// has a checkpoint path) and throws <see cref="TrialReleasedException"/>: how a node that is shutting
    /// down (a pre-emption notice) or a sweep that is paused or cancelled hands its trials back without
    /// losing their work. Asked at an epoch's end, the epoch's reports and measurements come first and
    /// the checkpoint is that epoch's; asked at the last epoch's end, the trial finishes.
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
        long from = resumed?.StepInEpoch ?? 0;
        double secondsBefore = resumed?.Seconds ?? 0;
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        TrialOutcome Ended(TrialOutcome outcome) => outcome with { ResumedFromEpoch = resumed?.Epoch };

        // After the reports so far; the checkpoint carries those the store has not confirmed (see TrialPosition).
        bool Checkpoint(int epochsDone, long stepInEpoch)
        {
            if (options.CheckpointPath is not { } path) return false;
            var (pathLength, stepLength) = session.StepLengths;
            var writing = Stopwatch.StartNew();
            var unstored = log.Unstored();
            Checkpoints.TrialCheckpoint.Save(path, session, new Checkpoints.TrialPosition(trial.TrialId, epochsDone, steps, Seconds(),
                pathLength, stepLength, unstored.Epochs, unstored.Points, unstored.Walks, unstored.Flatness, log.Last, log.Fit, unstored.Spectra, stepInEpoch));
            observer.OnCheckpointed(epochsDone, stepInEpoch, new FileInfo(path).Length, writing.Elapsed.TotalSeconds);
            return true;
        }

        for (int epoch = (resumed?.Epoch ?? 0) + 1; epoch <= trial.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var epochResult = session.TrainEpoch(ct, release, from);
            from = 0;
            steps += epochResult.Steps;
            // Within an epoch too: a mid-epoch checkpoint carries the epoch's points so far, as unconfirmed reports.
            log.Trajectory(session.TakePoints());
            foreach (var walk in session.TakeWalks()) log.Walk(walk);
            if (epochResult.DivergedAt is { } badLoss)
            {
                return Ended(TrialOutcome.Diverged(log.Last, steps, Seconds(),
                    $"mini-batch loss {badLoss} in epoch {epoch} (bound {trial.MaxLoss})", log.Fit.Fit()));
            }

            if (epochResult.StoppedAt is { } step)
            {
                throw new TrialReleasedException(trial.TrialId, epoch - 1, Checkpoint(epoch - 1, step), step);
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
            bool checkpointed = (released || (trial.CheckpointEveryEpochs > 0 && epoch % trial.CheckpointEveryEpochs == 0)) && Checkpoint(epoch, 0);
            if (released) throw new TrialReleasedException(trial.TrialId, epoch, checkpointed);
        }

        if (options.FinalWeightsPath is { } weights) session.SaveWeights(weights);
        return Ended(TrialOutcome.Completed(log.Last!, Seconds(), log.Fit.Fit()));
    }

    public static Device ResolveDevice(string? name) =>
        name is null ? (cuda.is_available() ? CUDA : CPU) : new Device(name);
}
