using System.Globalization;

namespace SweepGrid.Cli.Output;

/// <summary>The table printed at the end of a run, from the stored trial rows: one line per trial, in grid order.</summary>
internal static class ResultsTable
{
    /// <summary>Heading, result column, number format, and how soon it is left out on a narrow terminal (0: never).</summary>
    private static readonly (string Header, string Column, string Format, int Drop)[] Columns =
    [
        ("trial", "trial", "", 0), ("batch", "batch_size", "", 0), ("lr", "learning_rate", "G4", 0), ("ghost", "ghost_batch_size", "", 2),
        ("reg", "regularizer_strength", "G4", 3), ("seed", "seed", "", 1), ("epochs", "epochs", "", 4), ("status", "status", "", 0),
        ("train_acc", "train_acc", "F4", 2), ("test_acc", "test_acc", "F4", 0), ("gap", "gap", "F4", 0),
        ("|w-w0|", "weight_distance", "F2", 5), ("seconds", "seconds", "F1", 6),
    ];

    /// <param name="width">The terminal's width (<see cref="TextTable"/>); null: every column.</param>
    public static string Render(IEnumerable<IReadOnlyDictionary<string, object?>> trialRows, int? width = null) =>
        TextTable.Render(
            Columns.Select(c => new TableColumn(c.Header, c.Drop)).ToList(),
            trialRows.Select(r => Columns.Select(c => Cell(Value(r, c.Column), c.Format)).ToArray()).ToList(),
            width, "--wide");

    private static object? Value(IReadOnlyDictionary<string, object?> row, string column) =>
        column == "gap" ? (row["train_acc"] as double?) - (row["test_acc"] as double?) : row[column];

    private static string Cell(object? value, string format) => value switch
    {
        null => "-",
        double d => d.ToString(format.Length == 0 ? "G" : format, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
