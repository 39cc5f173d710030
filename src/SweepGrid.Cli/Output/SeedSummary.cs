using System.Globalization;
using SweepGrid.Cli.Summaries;
using static SweepGrid.Cli.Summaries.SeedStatistics;

namespace SweepGrid.Cli.Output;

/// <summary>The summary over seeds (<see cref="SeedStatistics"/>) as a table: text for a terminal (cut to its width) or Markdown.</summary>
internal static class SeedSummary
{
    /// <summary>The summary as text cells: a header and one row per setting.</summary>
    public static (string[] Header, IReadOnlyList<string[]> Rows) Table(IReadOnlyList<Group> groups)
    {
        var metrics = groups.SelectMany(g => g.Flatness.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var targets = groups.FirstOrDefault()?.Targets.Select(t => TargetHeader(t.Target)).ToList() ?? [];
        string[] header = ["setting", "seeds", "steps", "test acc", "gap (train−test acc)", "loss gap", "‖w−w0‖", "s / trial", .. targets, .. metrics];
        var rows = groups.Select(g => (string[])
        [
            Label(g.Setting), g.Finished == g.Trials ? $"{g.Trials}" : $"{g.Finished}/{g.Trials}", g.Steps?.ToString(CultureInfo.InvariantCulture) ?? "-",
            g.TestAccuracy.Format("F4"), g.Gap.Format("F4"), g.LossGap.Format("F3"), g.WeightDistance.Format("F2"), g.Seconds.Format("F1"),
            .. g.Targets.Select(t => t.Format()),
            .. metrics.Select(m => g.Flatness.TryGetValue(m, out var stat) ? stat.Format("G3") : "-"),
        ]).ToList();
        return (header, rows);
    }

    private const string TargetPrefix = "steps to ";

    private static string TargetHeader(double target) => TargetPrefix + target.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>How soon each column of <see cref="Table"/> is left out on a narrow terminal (0: never), and its short heading.</summary>
    private static TableColumn Column(string header) => header switch
    {
        "setting" => new(header, Left: true),
        "seeds" => new(header, 1),
        "steps" => new(header, 5),
        "test acc" => new(header),
        "gap (train−test acc)" => new(header, Short: "acc gap"),
        "loss gap" => new(header, 4),
        "‖w−w0‖" => new(header, 3),
        "s / trial" => new(header, 6),
        _ when header.StartsWith(TargetPrefix, StringComparison.Ordinal) => new(header, 3, Short: "→ " + header[TargetPrefix.Length..]),
        _ => new(header, 2), // flatness metrics
    };

    /// <param name="width">The terminal's width (<see cref="TextTable"/>); null: every column. Markdown is never cut.</param>
    public static string Render(IReadOnlyList<Group> groups, bool markdown, int? width = null)
    {
        var (header, rows) = Table(groups);
        if (!markdown) return TextTable.Render(header.Select(Column).ToList(), rows, width, "--wide or --markdown");
        var lines = new List<string> { $"| {string.Join(" | ", header)} |", $"| {string.Join(" | ", header.Select((_, i) => i == 0 ? "---" : "---:"))} |" };
        lines.AddRange(rows.Select(r => $"| {string.Join(" | ", r)} |"));
        return string.Join(Environment.NewLine, lines);
    }
}
