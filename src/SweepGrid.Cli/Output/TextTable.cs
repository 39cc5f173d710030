namespace SweepGrid.Cli.Output;

/// <summary>A column of a <see cref="TextTable"/>.</summary>
/// <param name="Header">Its heading when there is room.</param>
/// <param name="Short">A shorter heading used before any column is dropped; null: none.</param>
/// <param name="Drop">0: always shown; otherwise the higher, the sooner it is left out to fit (ties: the rightmost first).</param>
/// <param name="Left">Left-aligned text (a label). The first such column wraps within its cells when nothing else is left to drop.</param>
internal sealed record TableColumn(string Header, int Drop = 0, string? Short = null, bool Left = false);

/// <summary>
/// A plain-text table that fits a terminal: with a width, it first shortens headings, then leaves out
/// the least important columns (saying which in a footnote), then wraps the label column within its
/// cells, so that no line is longer than the width. Without one (output to a file or a pipe, or
/// --wide) every column is printed in full, one line per row, for tools that read it.
/// </summary>
internal static class TextTable
{
    private const string Gap = "  ";

    /// <summary>The narrowest a wrapped label column gets; below that, lines are cut at the width.</summary>
    private const int MinimumWrap = 8;

    /// <param name="width">The terminal's width in characters; null: no limit.</param>
    /// <param name="wideHint">What gives every column, for the footnote (e.g. "--wide").</param>
    public static string Render(IReadOnlyList<TableColumn> columns, IReadOnlyList<string[]> rows, int? width, string wideHint)
    {
        var shown = Enumerable.Range(0, columns.Count).ToList();
        var headers = columns.Select(c => c.Header).ToArray();
        if (width is { } limit && Width(shown, headers, rows) > limit)
        {
            for (int i = 0; i < columns.Count; i++) headers[i] = columns[i].Short ?? columns[i].Header;
            while (Width(shown, headers, rows) > limit && shown.Where(i => columns[i].Drop > 0).OrderByDescending(i => (columns[i].Drop, i)).FirstOrDefault(-1) is var drop and >= 0)
            {
                shown.Remove(drop);
            }
        }

        var widths = shown.ToDictionary(i => i, i => ColumnWidth(i, headers, rows));
        int? wrapped = null;
        if (width is { } max && Total(widths) > max && shown.FirstOrDefault(i => columns[i].Left, -1) is var label and >= 0)
        {
            widths[label] = Math.Max(MinimumWrap, max - (Total(widths) - widths[label]));
            wrapped = label;
        }

        var lines = new List<string>();
        lines.AddRange(Row(shown, columns, headers, widths, wrapped));
        lines.Add(string.Join(Gap, shown.Select(i => new string('-', widths[i]))));
        foreach (var row in rows) lines.AddRange(Row(shown, columns, row, widths, wrapped));
        var left = Enumerable.Range(0, columns.Count).Except(shown).Select(i => columns[i].Header).ToList();
        if (left.Count > 0) lines.AddRange(Words($"Left out to fit {width} columns: {string.Join(", ", left)} ({wideHint} shows every column).", width!.Value));
        return string.Join(Environment.NewLine, width is { } cut ? lines.Select(l => l.Length > cut ? l[..cut] : l) : lines);
    }

    private static int Width(IReadOnlyList<int> shown, string[] headers, IReadOnlyList<string[]> rows) =>
        Total(shown.ToDictionary(i => i, i => ColumnWidth(i, headers, rows)));

    private static int Total(Dictionary<int, int> widths) => widths.Values.Sum() + Gap.Length * Math.Max(0, widths.Count - 1);

    private static int ColumnWidth(int column, string[] headers, IReadOnlyList<string[]> rows) =>
        Math.Max(headers[column].Length, rows.Select(r => r[column].Length).DefaultIfEmpty(0).Max());

    /// <summary>One table row as one or more lines (more when its label wraps).</summary>
    private static IEnumerable<string> Row(IReadOnlyList<int> shown, IReadOnlyList<TableColumn> columns, string[] cells,
        Dictionary<int, int> widths, int? wrapped)
    {
        var parts = shown.ToDictionary(i => i, i => i == wrapped ? Words(cells[i], widths[i]) : [cells[i]]);
        int height = parts.Values.Max(p => p.Count);
        for (int line = 0; line < height; line++)
        {
            yield return string.Join(Gap, shown.Select(i =>
            {
                var text = line < parts[i].Count ? parts[i][line] : "";
                return columns[i].Left ? text.PadRight(widths[i]) : text.PadLeft(widths[i]);
            })).TrimEnd();
        }
    }

    /// <summary>Text broken at spaces into lines of at most <paramref name="width"/> (a longer word is split).</summary>
    public static List<string> Words(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > width)
            {
                if (line.Length > 0) lines.Add(line);
                lines.Add(rest[..width]);
                rest = rest[width..];
                line = "";
            }

            if (line.Length == 0) line = rest;
            else if (line.Length + 1 + rest.Length <= width) line += " " + rest;
            else
            {
                lines.Add(line);
                line = rest;
            }
        }

        if (line.Length > 0 || lines.Count == 0) lines.Add(line);
        return lines;
    }
}
