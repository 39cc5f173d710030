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
/// Checkpoint bytes and write time against the trial's length: a long synthetic trial (300 epochs,
/// a trajectory point every 4 updates) checkpointing every epoch, once with a store that keeps up
/// (every report confirmed before the next checkpoint, as the slot's acknowledgements do when the
/// database answers) and once with none confirmed (what every checkpoint carried before issue 19).
/// </summary>
internal static class CheckpointBench
{
    private static readonly int[] Epochs = [3, 10, 30, 100, 299]; // the last epoch (300) ends the trial and writes none

    public static string Run()
    {
        var trial = GridExpansion.Expand(SweepFile.Parse("""
            sweep {
              name = checkpoint-bench
              dataset { name = synthetic, synthetic { train-size = 2048, test-size = 256, features = 32, classes = 4 } }
              model { hidden = [64, 64], norm = batch }
              base { batch-size = 64, learning-rate = 0.05, epochs = 300 }
              metrics { every-steps = 4, flatness = [] }
              checkpoint { every-epochs = 1 }
            }
            """, "checkpoint-bench.hocon"))[0];
        var data = Datasets.Load(trial.Dataset);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Checkpoint size against trial length ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine("A 300-epoch synthetic trial (MLP 32-64-64-4 + BN, 2,048 samples, batch 64: 32 updates and 8 trajectory points per epoch),");
        report.AppendLine("checkpointing after every epoch. Bytes and seconds of the checkpoint written after the epoch shown (write = temp file, fsync, rename).");
        report.AppendLine();
        report.AppendLine("| epoch | store keeps up: bytes | seconds | nothing confirmed (as before): bytes | seconds |");
        report.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
        var confirmed = Measure(trial, data, keepUp: true);
        var unconfirmed = Measure(trial, data, keepUp: false);
        foreach (int epoch in Epochs)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {epoch} | {confirmed[epoch].Bytes:N0} | {confirmed[epoch].Seconds:F4} | {unconfirmed[epoch].Bytes:N0} | {unconfirmed[epoch].Seconds:F4} |");
        }

        long totalConfirmed = confirmed.Values.Sum(c => c.Bytes), totalUnconfirmed = unconfirmed.Values.Sum(c => c.Bytes);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"All 299 checkpoints: {totalConfirmed / 1e6:F1} MB written with the store keeping up, {totalUnconfirmed / 1e6:F1} MB with nothing confirmed.");
        return report.ToString();
    }

    /// <summary>Bytes and seconds of the checkpoint after each epoch (1..299; the last epoch writes none).</summary>
    private static Dictionary<int, (long Bytes, double Seconds)> Measure(Core.Trials.TrialSpec trial, DatasetPair data, bool keepUp)
    {
        var dir = Directory.CreateTempSubdirectory("sweepgrid-checkpoint-bench-").FullName;
        try
        {
            var path = Path.Combine(dir, "t.ckpt");
            var observer = new Timing();
            Trainer.Run(trial, data, observer, new TrainerOptions(CheckpointPath: path, StoredReports: keepUp ? () => observer.Reports : null), CancellationToken.None);
            return observer.Sizes;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Counts reports (a store taking each as it comes) and keeps each checkpoint's size and write time.</summary>
    private sealed class Timing : ITrainingObserver
    {
        public int Reports { get; private set; }

        public Dictionary<int, (long Bytes, double Seconds)> Sizes { get; } = [];

        public void OnEpoch(EpochRecord record) => Reports++;

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points) => Reports++;

        public void OnFlatness(FlatnessRecord record) => Reports++;

        public void OnWalk(WalkRecord record) => Reports++;

        public void OnCheckpointed(int epoch, long stepInEpoch, long bytes, double seconds) => Sizes[epoch] = (bytes, seconds);
    }
}
