using SweepGrid.Cli.Output;
using SweepGrid.Cluster.Results;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// Writes a sweep's result tables as CSV for pandas, R or a spreadsheet: trials.csv (one row per
/// trial: parameters as run, derived values, final metrics) and trajectory.csv (one row per epoch).
/// </summary>
internal static class Exporter
{
    public static readonly string[] TrialColumns =
    [
        "trial", "status", "batch_size", "learning_rate", "grid_learning_rate", "lr_scaling", "regime_adaptation",
        "lr_over_batch", "ghost_batch_size", "regularizer", "regularizer_strength", "seed", "epochs", "schedule",
        "model", "optimizer", "steps",
        "train_loss", "train_acc", "test_loss", "test_acc", "gap", "loss_gap", "weight_distance", "attempts", "seconds", "reason",
    ];

    public static readonly string[] TrajectoryColumns =
    [
        "trial", "step", "epoch", "learning_rate", "train_loss", "train_acc", "test_loss", "test_acc", "weight_distance", "seconds",
    ];

    public static IReadOnlyList<string> Export(ResultsStore store, string sweep, string outDirectory)
    {
        var trials = TrialRows(store, sweep);
        Directory.CreateDirectory(outDirectory);
        var trialsPath = Path.Combine(outDirectory, "trials.csv");
        Csv.Write(trialsPath, TrialColumns, trials.Select(TrialRow));
        var trajectoryPath = Path.Combine(outDirectory, "trajectory.csv");
        Csv.Write(trajectoryPath, TrajectoryColumns,
            store.Rows("trajectory", sweep).Select(r => TrajectoryColumns.Select(c => r[c]).ToList()));
        return [trialsPath, trajectoryPath];
    }

    /// <summary>The stored trial rows of a sweep; an unknown store or sweep is bad input naming what exists.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> TrialRows(ResultsStore store, string sweep)
    {
        if (!store.Exists) throw new UserError($"store {Path.GetDirectoryName(store.Path)}: no results database ({ResultsStore.FileName}) there");
        var sweeps = store.Sweeps();
        if (!sweeps.Contains(sweep))
        {
            var known = sweeps.Count == 0 ? "none" : string.Join(", ", sweeps);
            throw new UserError($"sweep \"{sweep}\" is not in store {Path.GetDirectoryName(store.Path)} (sweeps there: {known})");
        }

        return store.Rows("trials", sweep);
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
