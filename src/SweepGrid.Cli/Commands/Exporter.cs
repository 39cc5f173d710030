using SweepGrid.Cli.Output;
using SweepGrid.Cluster.Results;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// Writes a sweep's result tables as CSV and/or Parquet for pandas, R or a spreadsheet: trials.csv (one row per
/// trial: parameters as run, derived values, final metrics, the log fit of the weight distance),
/// trajectory.csv (one row per epoch), steps.csv (trajectory points every metrics.every-steps),
/// layers.csv (per-layer weight distance at those points), flatness.csv (one row per measurement),
/// walk.csv and walk_curves.csv (iterate interpolation: floor per step, and the loss per α),
/// interpolation.csv (cross-trial interpolations made with `sweepgrid interpolate`), spectrum.csv (the
/// Hessian's Lanczos nodes: Ritz values and weights per run), density.csv (the eigenvalue density
/// drawn from them) and targets.csv (steps to each of metrics.targets, per trial). steps.csv carries
/// the test evaluations of metrics.eval-every-steps.
/// </summary>
internal static class Exporter
{
    public static readonly string[] TrialColumns =
    [
        "trial", "status", "batch_size", "learning_rate", "grid_learning_rate", "lr_scaling", "regime_adaptation",
        "lr_over_batch", "ghost_batch_size", "regularizer", "regularizer_strength", "seed", "epochs", "schedule",
        "model", "optimizer", "steps",
        "train_loss", "train_acc", "test_loss", "test_acc", "gap", "loss_gap", "weight_distance",
        "log_fit_a", "log_fit_b", "log_fit_r2", "attempts", "resumed_from_epoch", "seconds", "reason",
    ];

    public static readonly string[] StepColumns =
    [
        "trial", "step", "epoch", "learning_rate", "batch_loss", "grad_norm", "weight_distance", "step_length", "path_length",
        "test_loss", "test_acc",
    ];

    public static readonly string[] LayerColumns = ["trial", "step", "layer", "weight_distance"];

    public static readonly string[] FlatnessColumns = ["trial", "epoch", "metric", "value", "standard_error", "seconds", "iterations"];

    public static readonly string[] WalkColumns = ["trial", "step", "floor", "floor_position", "height"];

    public static readonly string[] WalkCurveColumns = ["trial", "step", "alpha", "loss"];

    public static readonly string[] InterpolationColumns = ["trial_a", "trial_b", "alpha", "train_loss", "train_acc", "test_loss", "test_acc"];

    public static readonly string[] TrajectoryColumns =
    [
        "trial", "step", "epoch", "learning_rate", "train_loss", "train_acc", "test_loss", "test_acc", "weight_distance", "seconds",
    ];

    public static readonly string[] Formats = ["csv", "parquet", "both"];

    /// <summary>Writes every table as &lt;name&gt;.csv and/or &lt;name&gt;.parquet; returns the files written.</summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(ResultsStore store, string sweep, string outDirectory, string format = "csv")
    {
        CheckFormat(format);
        var trials = TrialRows(store, sweep);
        Directory.CreateDirectory(outDirectory);
        var tables = new List<(string Name, string[] Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)>
        {
            ("trials", TrialColumns, trials.Select(TrialRow).ToList()),
        };
        foreach (var (name, table, columns) in new[]
                 {
                     ("trajectory", "trajectory", TrajectoryColumns), ("steps", "points", StepColumns),
                     ("layers", "layer_distances", LayerColumns), ("flatness", "flatness", FlatnessColumns),
                     ("walk", "walks", WalkColumns), ("walk_curves", "walk_curves", WalkCurveColumns),
                     ("interpolation", "interpolations", InterpolationColumns), ("spectrum", "spectrum", Reporting.Spectra.Columns),
                 })
        {
            tables.Add((name, columns, store.Rows(table, sweep).Select(r => (IReadOnlyList<object?>)columns.Select(c => r[c]).ToList()).ToList()));
        }

        tables.Add(("density", Reporting.Spectra.DensityColumns, Reporting.Spectra.DensityRows(store.Rows("spectrum", sweep))));
        tables.Add(("targets", Reporting.TargetSteps.Columns, Reporting.TargetSteps.Load(store, sweep).Rows(trials.Select(r => (string)r["trial"]!))));

        var files = new List<string>();
        foreach (var (name, columns, rows) in tables)
        {
            if (format is "csv" or "both")
            {
                var path = Path.Combine(outDirectory, $"{name}.csv");
                Csv.Write(path, columns, rows);
                files.Add(path);
            }

            if (format is "parquet" or "both")
            {
                var path = Path.Combine(outDirectory, $"{name}.parquet");
                await ParquetTable.WriteAsync(path, columns, rows);
                files.Add(path);
            }
        }

        return files;
    }

    public static void CheckFormat(string format)
    {
        if (!Formats.Contains(format)) throw new UserError($"--format: must be one of {string.Join(" | ", Formats)}, got \"{format}\"");
    }

    /// <summary>The stored trial rows of a sweep; an unknown store or sweep is bad input naming what exists.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> TrialRows(ResultsStore store, string sweep)
    {
        RequireSweep(store, sweep);
        return store.Rows("trials", sweep);
    }

    /// <summary>Bad input unless the store exists and holds the sweep; the message names the sweeps there.</summary>
    public static void RequireSweep(ResultsStore store, string sweep)
    {
        if (!store.Exists) throw new UserError($"{store.Describe}: no results database there (no sweep has been run with it)");
        var sweeps = store.Sweeps();
        if (!sweeps.Contains(sweep))
        {
            var known = sweeps.Count == 0 ? "none" : string.Join(", ", sweeps);
            throw new UserError($"sweep \"{sweep}\" is not in {store.Describe} (sweeps there: {known})");
        }
    }

    private static IReadOnlyList<object?> TrialRow(IReadOnlyDictionary<string, object?> r)
    {
        var trainAcc = r["train_acc"] as double?;
        var testAcc = r["test_acc"] as double?;
        var trainLoss = r["train_loss"] as double?;
        var testLoss = r["test_loss"] as double?;
        var derived = new Dictionary<string, object?>
        {
            // Gap as Hoffer et al. (2017) report it: train − test accuracy; and test − train loss.
            ["gap"] = trainAcc - testAcc,
            ["loss_gap"] = testLoss - trainLoss,
            // η/B (Jastrzębski et al. 2017), a natural x-axis for width-of-minimum plots.
            ["lr_over_batch"] = (double)r["learning_rate"]! / (long)r["batch_size"]!,
        };
        return TrialColumns.Select(c => derived.TryGetValue(c, out var v) ? v : r[c]).ToList();
    }
}
