using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Bench;

/// <summary>
/// What a pre-emption notice costs a trial: quick.hocon's trials (MLP 784-512-512-10 + BN on the bundled
/// Fashion-MNIST subset) released halfway through their second epoch, as a SIGTERM's release arrives at
/// any step. Measured: from the release to the trial's stop (the step it was taking, then the mid-epoch
/// checkpoint), the checkpoint's bytes and write time, against the epoch's length, which is what a release
/// honoured only at the epoch's end would have waited for at worst.
/// </summary>
internal static class PreemptionBench
{
    private static readonly int[] Batches = [128, 2048];

    public static string Run()
    {
        var spec = SweepFile.Load(Path.Combine("hocon", "sweeps", "quick.hocon"));
        var trials = GridExpansion.Expand(spec);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# A pre-emption notice within an epoch ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"quick.hocon's trials (MLP 784-512-512-10 + BN, SGD momentum, 10,000 Fashion-MNIST images), {Environment.ProcessorCount} threads, CPU.");
        report.AppendLine("Each is released halfway through its second epoch (the step is chosen by the bench; a node's SIGTERM comes at any step).");
        report.AppendLine("Stop: from the release, made just after a step, to the trial's stop, almost all of it writing the checkpoint (temp file, fsync, rename); a release that arrives during a step waits for that step too (epoch s / steps).");
        report.AppendLine("Epoch: the first epoch's training and evaluation, the most a release honoured only at an epoch's end could wait.");
        report.AppendLine();
        report.AppendLine("| batch | steps/epoch | released after step | epoch s | stop s | checkpoint bytes | checkpoint write s |");
        report.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int batch in Batches)
        {
            var trial = trials.First(t => t.BatchSize == batch && t.GhostBatchSize == 0) with { Epochs = 3 };
            var data = Datasets.Load(trial.Dataset);
            var row = Measure(trial, data);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {batch} | {row.StepsPerEpoch} | {row.ReleasedAfter} | {row.EpochSeconds:F2} | {row.StopSeconds:F3} | {row.Bytes:N0} | {row.WriteSeconds:F3} |");
        }

        return report.ToString();
    }

    private sealed record Row(long StepsPerEpoch, long ReleasedAfter, double EpochSeconds, double StopSeconds, long Bytes, double WriteSeconds);

    private static Row Measure(TrialSpec trial, DatasetPair data)
    {
        var dir = Directory.CreateTempSubdirectory("sweepgrid-preemption-bench-").FullName;
        try
        {
            long stepsPerEpoch = data.Train.Count / trial.BatchSize;
            long releaseAfter = stepsPerEpoch + stepsPerEpoch / 2;
            using var release = new CancellationTokenSource();
            var releasedAt = Stopwatch.StartNew();
            var observer = new Timing();
            var options = new TrainerOptions(CheckpointPath: Path.Combine(dir, "t.ckpt"))
            {
                AfterStep = s =>
                {
                    if (s != releaseAfter) return;
                    release.Cancel();
                    releasedAt.Restart();
                },
            };
            try
            {
                Trainer.Run(trial, data, observer, options, CancellationToken.None, release.Token);
                throw new InvalidOperationException("the trial finished: it was never released");
            }
            catch (TrialReleasedException released) when (released.Checkpointed && released.StepInEpoch > 0)
            {
                double stop = releasedAt.Elapsed.TotalSeconds;
                return new Row(stepsPerEpoch, releaseAfter, observer.FirstEpochSeconds, stop, observer.Bytes, observer.WriteSeconds);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class Timing : ITrainingObserver
    {
        public double FirstEpochSeconds { get; private set; }

        public long Bytes { get; private set; }

        public double WriteSeconds { get; private set; }

        public void OnEpoch(EpochRecord record)
        {
            if (record.Epoch == 1) FirstEpochSeconds = record.Seconds;
        }

        public void OnCheckpointed(int epoch, long stepInEpoch, long bytes, double seconds) => (Bytes, WriteSeconds) = (bytes, seconds);
    }
}
