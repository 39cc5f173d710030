using SweepGrid.Store.Logs;
using System.Globalization;
using System.Text;
using SweepGrid.Cli.Output;
using SweepGrid.Store;
using SweepGrid.Core.Results;

namespace SweepGrid.Cli.Dashboard;

/// <summary>
/// The dashboard's pages as HTML, from the typed rows of the store (the same rows the summary, export and
/// report read), without HTTP: what a page shows is testable on its own. The pages carry their numbers
/// in the markup; dashboard.js sorts, filters, draws the curves and swaps in new rows as epochs land.
/// </summary>
internal static class DashboardPages
{
    /// <summary>
    /// Time left if the remaining trials take as long as the done ones did since submission: a rough
    /// figure (trials differ in length, regime adaptation's most), shown as such; null before any is done.
    /// </summary>
    public static TimeSpan? EstimatedLeft(SweepStatus s, DateTimeOffset now) =>
        s.Done == 0 || s.Done == s.Total || !DateTimeOffset.TryParse(s.SubmittedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? null
            : (now - at) * ((double)(s.Total - s.Done) / s.Done);

    public static IReadOnlyList<string> Statuses => SweepStatus.Statuses;

    public static string Sweeps(string store, IReadOnlyList<SweepStatus> sweeps, DateTimeOffset now)
    {
        var html = Start("SweepGrid", store);
        html.Append("<h1>Sweeps</h1>");
        if (sweeps.Count == 0) return End(html.Append("<p>No sweeps in this store yet.</p>"));
        html.Append("<table id=\"sweeps\"><thead><tr><th>sweep</th><th>state</th><th>priority</th><th>share</th>")
            .Append(string.Concat(Statuses.Select(s => $"<th>{s}</th>")))
            .Append("<th>progress</th><th>estimated time left</th><th>submitted</th></tr></thead><tbody>");
        foreach (var s in sweeps)
        {
            html.Append($"<tr data-sweep=\"{E(s.Sweep)}\"><td><a href=\"/sweeps/{U(s.Sweep)}\">{E(s.Sweep)}</a></td>")
                .Append($"<td data-state=\"{E(s.Standing)}\">{E(s.Standing)}</td><td>{(s.Priority is { } p ? Inv($"{p}") : "-")}</td>")
                .Append($"<td data-share>{(s.ShareOf(sweeps) is { } share ? Inv($"{share:P0}") : "-")}</td>")
                .Append(string.Concat(Statuses.Select(st => $"<td data-status=\"{st}\">{s.Counts.GetValueOrDefault(st)}</td>")))
                .Append(Inv($"<td><progress max=\"{s.Total}\" value=\"{s.Done}\"></progress> {s.Done}/{s.Total}</td>"))
                .Append($"<td>{E(Duration(EstimatedLeft(s, now)))}</td><td>{E(s.SubmittedAt)}</td></tr>");
        }

        return End(html.Append("</tbody></table>"));
    }

    /// <summary>The columns of the sweep page's trial table: heading, value (null: none yet) and number format.</summary>
    public static readonly (string Header, Func<TrialRow, object?> Value, string Format)[] TrialColumns =
    [
        ("trial", t => t.Trial, ""), ("batch", t => t.BatchSize, ""), ("lr", t => t.LearningRate, "G4"), ("lr rule", t => t.LrScaling, ""),
        ("ghost", t => t.GhostBatchSize, ""), ("RA", t => t.RegimeAdaptation ? "yes" : "no", ""), ("regularizer", t => t.Regularizer, ""),
        ("strength", t => t.RegularizerStrength, "G4"), ("seed", t => t.Seed, ""), ("epochs", t => t.Epochs, ""), ("status", t => t.Status, ""),
        ("attempts", t => t.Attempts, ""), ("slot", t => t.Slot, ""), ("train acc", t => t.TrainAccuracy, "F4"), ("test acc", t => t.TestAccuracy, "F4"),
        ("gap", t => t.Gap, "F4"), ("‖w−w₀‖", t => t.WeightDistance, "F3"), ("seconds", t => t.Seconds, "F1"),
    ];

    /// <summary>
    /// What the sweep page's trial table shows besides the trials' rows: each trial's last stored epoch and
    /// its flatness values at its last measured epoch, one column per metric measured in the sweep.
    /// </summary>
    public sealed record TrialTable(
        IReadOnlyList<TrialRow> Trials, IReadOnlyDictionary<string, long> Epochs, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Flatness)
    {
        public IReadOnlyList<string> Metrics { get; } =
            Flatness.Values.SelectMany(m => m.Keys).Where(FlatnessRecord.KnownMetrics.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public static string Sweep(string store, string sweep, TrialTable table)
    {
        var html = Start($"SweepGrid: {sweep}", store);
        html.Append($"<p><a href=\"/\">all sweeps</a></p><h1>Sweep {E(sweep)}</h1>")
            .Append($"<div id=\"live\" data-sweep=\"{E(sweep)}\"></div>")
            .Append("<p><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"e.g. 4096 or completed\"></label> ")
            .Append("Click a heading to sort; tick trials to draw their curves (or open the page with ?trials=ID,ID).</p>")
            .Append("<div id=\"charts\"><div id=\"chart-test-acc\"></div><div id=\"chart-train-acc\"></div><div id=\"chart-test-loss\"></div>")
            .Append("<div id=\"chart-train-loss\"></div><div id=\"chart-distance\"></div></div>")
            .Append("<table id=\"trials\"><thead><tr><th></th>")
            .Append(string.Concat(TrialColumns.Select(c => $"<th>{E(c.Header)}</th>")))
            .Append("<th>epoch</th>")
            .Append(string.Concat(table.Metrics.Select(m => $"<th>{E(m)}</th>")))
            .Append("</tr></thead><tbody>");
        foreach (var t in table.Trials) html.Append(TrialLine(sweep, t, table));
        html.Append("</tbody></table>")
            .Append("<h2>By batch size (as in the report)</h2><div id=\"figures\"></div>");
        return End(html);
    }

    /// <summary>One row of the trial table; also what the live update swaps in.</summary>
    public static string TrialLine(string sweep, TrialRow t, TrialTable table)
    {
        var cells = TrialColumns.Select((c, i) => i == 0
            ? $"<td><a href=\"/sweeps/{U(sweep)}/trials/{U(t.Trial)}\">{E(t.Trial)}</a></td>"
            : $"<td>{E(Cell(c.Value(t), c.Format))}</td>");
        var flatness = table.Flatness.GetValueOrDefault(t.Trial);
        var metrics = table.Metrics.Select(m => $"<td>{E(Cell(flatness?.GetValueOrDefault(m, double.NaN), "G4"))}</td>");
        return $"<tr data-trial=\"{E(t.Trial)}\"><td><input type=\"checkbox\" aria-label=\"draw {E(t.Trial)}\"></td>{string.Concat(cells)}" +
               $"<td data-epoch>{table.Epochs.GetValueOrDefault(t.Trial)}</td>{string.Concat(metrics)}</tr>";
    }

    public static string Trial(
        string store, string sweep, TrialRow t, IReadOnlyList<EpochRow> epochs, IReadOnlyList<FlatnessRow> flatness,
        IReadOnlyList<TrialLog.Attempt> attempts, IReadOnlyList<TrialLog.Line> log)
    {
        var html = Start($"SweepGrid: trial {t.Trial}", store);
        html.Append($"<p><a href=\"/\">all sweeps</a> › <a href=\"/sweeps/{U(sweep)}\">{E(sweep)}</a></p>")
            .Append($"<h1>Trial {E(t.Trial)}</h1><div id=\"live\" data-sweep=\"{E(sweep)}\" data-trial=\"{E(t.Trial)}\"></div>")
            .Append("<table id=\"parameters\"><tbody>");
        foreach (var (header, value, format) in TrialColumns.Skip(1)) html.Append($"<tr><th>{E(header)}</th><td>{E(Cell(value(t), format))}</td></tr>");
        html.Append($"<tr><th>reason</th><td>{E(t.Reason ?? "")}</td></tr></tbody></table>")
            .Append("<div id=\"charts\"><div id=\"chart-epochs-acc\"></div><div id=\"chart-epochs-loss\"></div><div id=\"chart-distance\"></div>")
            .Append("<div id=\"chart-steps\"></div><div id=\"chart-layers\"></div></div>")
            .Append("<h2>Epochs</h2><table id=\"epochs\"><thead><tr><th>epoch</th><th>updates</th><th>learning rate</th><th>train loss</th><th>train acc</th>")
            .Append("<th>test loss</th><th>test acc</th><th>gap</th><th>‖w−w₀‖</th><th>seconds</th></tr></thead><tbody>");
        foreach (var e in epochs)
        {
            html.Append(Inv($"<tr><td>{e.Epoch}</td><td>{e.Step}</td><td>{e.LearningRate:G4}</td><td>{e.TrainLoss:F4}</td><td>{e.TrainAccuracy:F4}</td>"))
                .Append(Inv($"<td>{e.TestLoss:F4}</td><td>{e.TestAccuracy:F4}</td><td>{e.TrainAccuracy - e.TestAccuracy:F4}</td><td>{e.WeightDistance:F3}</td><td>{e.Seconds:F1}</td></tr>"));
        }

        html.Append("</tbody></table><h2>Flatness</h2>");
        if (flatness.Count == 0) html.Append("<p id=\"flatness\">None measured yet.</p>");
        else
        {
            html.Append("<table id=\"flatness\"><thead><tr><th>epoch</th><th>metric</th><th>value</th><th>standard error</th><th>seconds</th><th>iterations</th></tr></thead><tbody>");
            foreach (var f in flatness)
            {
                html.Append(Inv($"<tr><td>{f.Epoch}</td><td>{E(f.Metric)}</td><td>{E(Cell(f.Value, "G4"))}</td><td>{E(Cell(f.StandardError, "G3"))}</td><td>{f.Seconds:F2}</td><td>{f.Iterations}</td></tr>"));
            }

            html.Append("</tbody></table>");
        }

        html.Append("<h2>Attempts</h2>");
        if (attempts.Count == 0) html.Append("<p id=\"attempts\">None in the store's logs.</p>");
        else
        {
            html.Append("<table id=\"attempts\"><thead><tr><th>attempt</th><th>node/slot</th><th>started (UTC)</th><th>last line (UTC)</th><th>outcome</th><th>reason</th></tr></thead><tbody>");
            foreach (var a in attempts)
            {
                html.Append(Inv($"<tr><td>{a.Number}</td><td>{E(a.Slot ?? "-")}</td><td>{a.Started:yyyy-MM-dd HH:mm:ss}</td><td>{a.Last:yyyy-MM-dd HH:mm:ss}</td>"))
                    .Append($"<td>{E(a.Outcome ?? "-")}</td><td>{E(a.Reason ?? "")}</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append(Inv($"<h2>Log</h2><p>The store's logs about this trial (logs/*.log, the last {TrialLog.MaxLines} lines at most).</p>"));
        if (log.Count == 0) html.Append("<p id=\"log\">No lines.</p>");
        else
        {
            html.Append("<table id=\"log\"><tbody>");
            foreach (var l in log) html.Append(Inv($"<tr><td>{l.Time:yyyy-MM-dd HH:mm:ss.fff}</td><td>{E(l.Level)}</td><td class=\"message\">{E(l.Message)}</td></tr>"));
            html.Append("</tbody></table>");
        }

        return End(html);
    }

    public static string NotFound(string store, string what) =>
        End(Start("SweepGrid: not found", store).Append($"<p><a href=\"/\">all sweeps</a></p><h1>Not found</h1><p>{E(what)}</p>"));

    /// <summary>The store did not answer: the page says so; dashboard.js retries and the banner goes when it answers.</summary>
    public static string Outage(string store, string message) =>
        End(Start("SweepGrid: store unavailable", store).Append($"<p class=\"banner\" id=\"outage\">The store is not answering: {E(message)}. Retrying…</p>"));

    private static string Cell(object? value, string format) => ResultsTable.Cell(value, format);

    private static string Duration(TimeSpan? span) => span switch
    {
        null => "-",
        { TotalHours: >= 1 } s => Inv($"~{(int)s.TotalHours} h {s.Minutes} min"),
        { } s => Inv($"~{Math.Max(1, (int)Math.Round(s.TotalMinutes))} min"),
    };

    private static StringBuilder Start(string title, string store) =>
        new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append($"<title>{E(title)}</title><link rel=\"stylesheet\" href=\"/assets/uPlot.min.css\"><link rel=\"stylesheet\" href=\"/assets/dashboard.css\">")
            .Append("</head><body><p class=\"banner\" id=\"banner\" hidden></p>")
            .Append($"<p class=\"store\">{E(store)}</p>");

    private static string End(StringBuilder html) =>
        html.Append("<script src=\"/assets/uPlot.iife.min.js\"></script><script src=\"/assets/dashboard.js\"></script></body></html>").ToString();

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => Html.Escape(text);

    private static string U(string text) => Uri.EscapeDataString(text);
}
