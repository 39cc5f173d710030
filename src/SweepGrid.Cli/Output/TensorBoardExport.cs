using SweepGrid.Cluster.Results;
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
    /// <summary>Epoch-level scalars: trajectory column → tag.</summary>
    public static readonly (string Column, string Tag)[] EpochTags =
    [
        ("train_loss", "train/loss"), ("train_acc", "train/accuracy"), ("test_loss", "test/loss"),
        ("test_acc", "test/accuracy"), ("weight_distance", "weights/distance_from_init"), ("learning_rate", "optimizer/learning_rate"),
    ];

    /// <summary>Trajectory-point scalars (every metrics.every-steps updates): points column → tag.</summary>
    public static readonly (string Column, string Tag)[] StepTags =
    [
        ("batch_loss", "step/batch_loss"), ("grad_norm", "step/grad_norm"), ("weight_distance", "step/distance_from_init"), ("step_length", "step/step_length"),
    ];

    public const string FlatnessPrefix = "flatness/";

    /// <summary>The files TorchSharp's SummaryWriter makes (TensorFlow's event file naming).</summary>
    private const string EventFilePattern = "events.out.tfevents.*";

    /// <summary>Writes every trial of the sweep that has any trajectory; returns the trial folders written.</summary>
    /// <exception cref="InvalidDataException">The store holds a name that is not a sweep name or a trial id: nothing of it becomes a folder.</exception>
    public static IReadOnlyList<string> Write(ResultsStore store, string sweep, string directory)
    {
        Names.SweepName(sweep, "tensorboard export");
        var epochs = store.Rows("trajectory", sweep).GroupBy(r => (string)r["trial"]!).ToDictionary(g => g.Key, g => g.ToList());
        var points = store.Rows("points", sweep).ToLookup(r => (string)r["trial"]!);
        var flatness = store.Rows("flatness", sweep).ToLookup(r => (string)r["trial"]!);
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
            foreach (var r in rows)
            {
                int step = checked((int)(long)r["step"]!);
                foreach (var (column, tag) in EpochTags) writer.add_scalar(tag, (float)(double)r[column]!, step, wallTime);
            }

            foreach (var p in points[trial])
            {
                int step = checked((int)(long)p["step"]!);
                foreach (var (column, tag) in StepTags)
                {
                    if (p[column] is double value) writer.add_scalar(tag, (float)value, step, wallTime);
                }
            }

            var stepAtEpoch = rows.ToDictionary(r => (long)r["epoch"]!, r => (long)r["step"]!);
            foreach (var f in flatness[trial])
            {
                if (f["value"] is not double value || !FlatnessRecord.KnownMetrics.Contains((string)f["metric"]!)) continue;
                long step = stepAtEpoch.GetValueOrDefault((long)f["epoch"]!, 0);
                writer.add_scalar(FlatnessPrefix + (string)f["metric"]!, (float)value, checked((int)step), wallTime);
            }

            written.Add(folder);
        }

        return written;
    }
}
