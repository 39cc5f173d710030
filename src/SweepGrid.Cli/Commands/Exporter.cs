using SweepGrid.Cli.Output;
using SweepGrid.Store;

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
    /// <summary>trials.csv: the parameters as run, the derived values of <see cref="TrialRow"/>, the outcome.</summary>
    private static readonly Column<TrialRow>[] TrialColumns =
    [
        new("trial", t => t.Trial), new("status", t => t.Status), new("batch_size", t => t.BatchSize), new("learning_rate", t => t.LearningRate),
        new("grid_learning_rate", t => t.GridLearningRate), new("lr_scaling", t => t.LrScaling), new("regime_adaptation", t => t.RegimeAdaptation ? 1L : 0L),
        new("lr_over_batch", t => t.LrOverBatch), new("ghost_batch_size", t => t.GhostBatchSize), new("regularizer", t => t.Regularizer),
        new("regularizer_strength", t => t.RegularizerStrength), new("seed", t => t.Seed), new("epochs", t => t.Epochs), new("schedule", t => t.Schedule),
        new("model", t => t.Model), new("optimizer", t => t.Optimizer), new("steps", t => t.Steps),
        new("train_loss", t => t.TrainLoss), new("train_acc", t => t.TrainAccuracy), new("test_loss", t => t.TestLoss), new("test_acc", t => t.TestAccuracy),
        new("gap", t => t.Gap), new("loss_gap", t => t.LossGap), new("weight_distance", t => t.WeightDistance),
        new("log_fit_a", t => t.LogFitA), new("log_fit_b", t => t.LogFitB), new("log_fit_r2", t => t.LogFitR2), new("attempts", t => t.Attempts),
        new("resumed_from_epoch", t => t.ResumedFromEpoch), new("seconds", t => t.Seconds), new("reason", t => t.Reason),
    ];

    private static readonly Column<EpochRow>[] TrajectoryColumns =
    [
        new("trial", e => e.Trial), new("step", e => e.Step), new("epoch", e => e.Epoch), new("learning_rate", e => e.LearningRate),
        new("train_loss", e => e.TrainLoss), new("train_acc", e => e.TrainAccuracy), new("test_loss", e => e.TestLoss), new("test_acc", e => e.TestAccuracy),
        new("weight_distance", e => e.WeightDistance), new("seconds", e => e.Seconds),
    ];

    private static readonly Column<PointRow>[] StepColumns =
    [
        new("trial", p => p.Trial), new("step", p => p.Step), new("epoch", p => p.Epoch), new("learning_rate", p => p.LearningRate),
        new("batch_loss", p => p.BatchLoss), new("grad_norm", p => p.GradientNorm), new("weight_distance", p => p.WeightDistance),
        new("step_length", p => p.StepLength), new("path_length", p => p.PathLength), new("test_loss", p => p.TestLoss), new("test_acc", p => p.TestAccuracy),
    ];

    private static readonly Column<LayerRow>[] LayerColumns =
        [new("trial", l => l.Trial), new("step", l => l.Step), new("layer", l => l.Layer), new("weight_distance", l => l.WeightDistance)];

    private static readonly Column<FlatnessRow>[] FlatnessColumns =
    [
        new("trial", f => f.Trial), new("epoch", f => f.Epoch), new("metric", f => f.Metric), new("value", f => f.Value),
        new("standard_error", f => f.StandardError), new("seconds", f => f.Seconds), new("iterations", f => f.Iterations),
    ];

    private static readonly Column<WalkRow>[] WalkColumns =
        [new("trial", w => w.Trial), new("step", w => w.Step), new("floor", w => w.Floor), new("floor_position", w => w.FloorPosition), new("height", w => w.Height)];

    private static readonly Column<WalkCurveRow>[] WalkCurveColumns =
        [new("trial", w => w.Trial), new("step", w => w.Step), new("alpha", w => w.Alpha), new("loss", w => w.Loss)];

    private static readonly Column<InterpolationRow>[] InterpolationColumns =
    [
        new("trial_a", i => i.TrialA), new("trial_b", i => i.TrialB), new("alpha", i => i.Alpha), new("train_loss", i => i.TrainLoss),
        new("train_acc", i => i.TrainAccuracy), new("test_loss", i => i.TestLoss), new("test_acc", i => i.TestAccuracy),
    ];

    private static readonly Column<SpectrumRow>[] SpectrumColumns =
    [
        new("trial", n => n.Trial), new("epoch", n => n.Epoch), new("run", n => n.Run), new("node", n => n.Node),
        new("eigenvalue", n => n.Eigenvalue), new("weight", n => n.Weight),
    ];

    /// <summary>An exported column: its name and how a typed row gives its value.</summary>
    private sealed record Column<T>(string Name, Func<T, object?> Value);

    private static (string[] Columns, IReadOnlyList<IReadOnlyList<object?>> Rows) Table<T>(Column<T>[] columns, IEnumerable<T> rows) =>
        (columns.Select(c => c.Name).ToArray(), rows.Select(r => (IReadOnlyList<object?>)columns.Select(c => c.Value(r)).ToList()).ToList());

    public static readonly string[] Formats = ["csv", "parquet", "both"];

    /// <summary>Writes every table as &lt;name&gt;.csv and/or &lt;name&gt;.parquet; returns the files written.</summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(ResultsStore store, string sweep, string outDirectory, string format = "csv")
    {
        CheckFormat(format);
        var trials = TrialRows(store, sweep);
        Directory.CreateDirectory(outDirectory);
        var spectrum = store.Read.Spectrum(sweep);
        var epochs = store.Read.Epochs(sweep);
        var points = store.Read.Points(sweep);
        var tables = new List<(string Name, (string[] Columns, IReadOnlyList<IReadOnlyList<object?>> Rows) Table)>
        {
            ("trials", Table(TrialColumns, trials)),
            ("trajectory", Table(TrajectoryColumns, epochs)),
            ("steps", Table(StepColumns, points)),
            ("layers", Table(LayerColumns, store.Read.Layers(sweep))),
            ("flatness", Table(FlatnessColumns, store.Read.Flatness(sweep))),
            ("walk", Table(WalkColumns, store.Read.Walks(sweep))),
            ("walk_curves", Table(WalkCurveColumns, store.Read.WalkCurves(sweep))),
            ("interpolation", Table(InterpolationColumns, store.Read.Interpolations(sweep))),
            ("spectrum", Table(SpectrumColumns, spectrum)),
            ("density", (Reporting.Spectra.DensityColumns, Reporting.Spectra.DensityRows(spectrum))),
            ("targets", (Summaries.TargetSteps.Columns, Summaries.TargetSteps.Load(store, sweep, epochs, points).Rows(trials.Select(t => t.Trial)))),
        };

        var files = new List<string>();
        foreach (var (name, (columns, rows)) in tables)
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

    /// <summary>The stored trials of a sweep; an unknown store or sweep is bad input naming what exists.</summary>
    public static IReadOnlyList<TrialRow> TrialRows(ResultsStore store, string sweep)
    {
        RequireSweep(store, sweep);
        return store.Read.Trials(sweep);
    }

    /// <summary>Bad input unless the store exists and holds the sweep; the message names the sweeps there.</summary>
    public static void RequireSweep(ResultsStore store, string sweep)
    {
        if (!store.Exists) throw new UserError($"{store.Describe}: no results database there (no sweep has been run with it)");
        var sweeps = store.Read.Sweeps();
        if (!sweeps.Contains(sweep))
        {
            var known = sweeps.Count == 0 ? "none" : string.Join(", ", sweeps);
            throw new UserError($"sweep \"{sweep}\" is not in {store.Describe} (sweeps there: {known})");
        }
    }
}
