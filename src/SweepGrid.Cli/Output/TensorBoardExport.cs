using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using static TorchSharp.torch.utils.tensorboard;

namespace SweepGrid.Cli.Output;

/// <summary>
/// TensorBoard event files, one folder per trial (DIR/SWEEP/TRIAL), written with TorchSharp's
/// SummaryWriter so `tensorboard --logdir DIR` overlays trials. The x axis is always the weight-update
/// count, the quantity Hoffer et al. compare across batch sizes; epoch metrics and end-of-epoch
/// flatness are placed at the update count their epoch ended on.
/// </summary>
internal static class TensorBoardExport
{
    /// <summary>Epoch-level scalars: tag and value.</summary>
    public static readonly (string Tag, Func<EpochRow, double> Value)[] EpochTags =
    [
        ("train/loss", e => e.TrainLoss), ("train/accuracy", e => e.TrainAccuracy), ("test/loss", e => e.TestLoss),
        ("test/accuracy", e => e.TestAccuracy), ("weights/distance_from_init", e => e.WeightDistance), ("optimizer/learning_rate", e => e.LearningRate),
    ];

    /// <summary>Trajectory-point scalars (every metrics.every-steps updates): tag and value, where measured.</summary>
    public static readonly (string Tag, Func<PointRow, double?> Value)[] StepTags =
    [
        ("step/batch_loss", p => p.BatchLoss), ("step/grad_norm", p => p.GradientNorm), ("step/distance_from_init", p => p.WeightDistance),
        ("step/step_length", p => p.StepLength),
    ];

    public const string FlatnessPrefix = "flatness/";

    /// <summary>The files TorchSharp's SummaryWriter makes (TensorFlow's event file naming).</summary>
    private const string EventFilePattern = "events.out.tfevents.*";

    /// <summary>Writes every trial of the sweep that has any trajectory; returns the trial folders written.</summary>
    /// <exception cref="InvalidDataException">The store holds a name that is not a sweep name or a trial id: nothing of it becomes a folder.</exception>
    public static IReadOnlyList<string> Write(ResultsStore store, string sweep, string directory)
    {
        Names.SweepName(sweep, "tensorboard export");
        var epochs = store.Read.Epochs(sweep).GroupBy(e => e.Trial).ToDictionary(g => g.Key, g => g.ToList());
        var points = store.Read.Points(sweep).ToLookup(p => p.Trial);
        var flatness = store.Read.Flatness(sweep).ToLookup(f => f.Trial);
        // Event wall time is Unix seconds; TorchSharp's default (0) would put every point at 1970.
        long wallTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var written = new List<string>();
        foreach (var (trial, rows) in epochs)
        {
            var folder = SafePath.Under(directory, sweep, Names.TrialId(trial, $"{store.Describe}, sweep {sweep}"));
            // A re-export replaces the event files it wrote before, never appends to them; nothing else there is touched.
            if (Directory.Exists(folder)) foreach (var old in Directory.EnumerateFiles(folder, EventFilePattern)) File.Delete(old);
            Directory.CreateDirectory(folder);
            var writer = SummaryWriter(folder);
            foreach (var e in rows)
            {
                int step = checked((int)e.Step);
                foreach (var (tag, value) in EpochTags) writer.add_scalar(tag, (float)value(e), step, wallTime);
            }

            foreach (var p in points[trial])
            {
                int step = checked((int)p.Step);
                foreach (var (tag, value) in StepTags)
                {
                    if (value(p) is { } v) writer.add_scalar(tag, (float)v, step, wallTime);
                }
            }

            var stepAtEpoch = rows.ToDictionary(e => e.Epoch, e => e.Step);
            foreach (var f in flatness[trial])
            {
                if (f.Value is not { } value || !FlatnessRecord.KnownMetrics.Contains(f.Metric)) continue;
                long step = stepAtEpoch.GetValueOrDefault(f.Epoch, 0);
                writer.add_scalar(FlatnessPrefix + f.Metric, (float)value, checked((int)step), wallTime);
            }

            written.Add(folder);
        }

        return written;
    }
}
