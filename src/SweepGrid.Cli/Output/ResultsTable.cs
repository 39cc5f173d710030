using System.Globalization;

namespace SweepGrid.Cli.Output;

/// <summary>The table printed at the end of a run, from the stored trial rows: one line per trial, in grid order.</summary>
internal static class ResultsTable
{
    private static readonly (string Header, string Column, string Format)[] Columns =
    [
        ("trial", "trial", ""), ("batch", "batch_size", ""), ("lr", "learning_rate", "G4"), ("ghost", "ghost_batch_size", ""),
        ("reg", "regularizer_strength", "G4"), ("seed", "seed", ""), ("epochs", "epochs", ""), ("status", "status", ""),
        ("train_acc", "train_acc", "F4"), ("test_acc", "test_acc", "F4"), ("gap", "gap", "F4"),
        ("|w-w0|", "weight_distance", "F2"), ("seconds", "seconds", "F1"),
    ];

    public static string Render(IEnumerable<IReadOnlyDictionary<string, object?>> trialRows)
    {
        var rows = trialRows.Select(r => Columns.Select(c => Cell(Value(r, c.Column), c.Format)).ToArray()).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Header.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var lines = new List<string>
        {
            Line(Columns.Select(c => c.Header).ToArray(), widths),
            string.Join("  ", widths.Select(w => new string('-', w))),
        };
        lines.AddRange(rows.Select(r => Line(r, widths)));
        return string.Join(Environment.NewLine, lines);
    }

    private static object? Value(IReadOnlyDictionary<string, object?> row, string column) =>
        column == "gap" ? (row["train_acc"] as double?) - (row["test_acc"] as double?) : row[column];

    private static string Cell(object? value, string format) => value switch
    {
        null => "-",
        double d => d.ToString(format.Length == 0 ? "G" : format, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadLeft(widths[i]))).TrimEnd();
}
