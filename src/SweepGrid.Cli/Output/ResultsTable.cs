using System.Globalization;
using SweepGrid.Store;

namespace SweepGrid.Cli.Output;

/// <summary>The table printed at the end of a run, from the stored trial rows: one line per trial, in grid order.</summary>
internal static class ResultsTable
{
    /// <summary>Heading, value, number format, and how soon it is left out on a narrow terminal (0: never).</summary>
    private static readonly (string Header, Func<TrialRow, object?> Value, string Format, int Drop)[] Columns =
    [
        ("trial", t => t.Trial, "", 0), ("batch", t => t.BatchSize, "", 0), ("lr", t => t.LearningRate, "G4", 0), ("ghost", t => t.GhostBatchSize, "", 2),
        ("reg", t => t.RegularizerStrength, "G4", 3), ("seed", t => t.Seed, "", 1), ("epochs", t => t.Epochs, "", 4), ("status", t => t.Status, "", 0),
        ("train_acc", t => t.TrainAccuracy, "F4", 2), ("test_acc", t => t.TestAccuracy, "F4", 0), ("gap", t => t.Gap, "F4", 0),
        ("|w-w0|", t => t.WeightDistance, "F2", 5), ("seconds", t => t.Seconds, "F1", 6),
    ];

    /// <param name="width">The terminal's width (<see cref="TextTable"/>); null: every column.</param>
    public static string Render(IEnumerable<TrialRow> trials, int? width = null) =>
        TextTable.Render(
            Columns.Select(c => new TableColumn(c.Header, c.Drop)).ToList(),
            trials.Select(t => Columns.Select(c => Cell(c.Value(t), c.Format)).ToArray()).ToList(),
            width, "--wide");

    /// <summary>A table cell: "-" for a value not there yet (or not finite), numbers in the invariant culture.</summary>
    public static string Cell(object? value, string format) => value switch
    {
        null => "-",
        double d when !double.IsFinite(d) => "-",
        double d => d.ToString(format.Length == 0 ? "G" : format, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
