using SweepGrid.Cli.Summaries;
using System.Globalization;
using System.Text;
using SweepGrid.Cli.Output;

namespace SweepGrid.Cli.Reporting;

/// <summary>
/// `sweepgrid report`: the generalization-gap story of one sweep as report.html with every figure
/// embedded (base64 PNG, so the one file can be mailed or attached) and also written next to it.
/// A figure whose data the sweep did not record is replaced by a line saying how to record it.
/// </summary>
internal static class HtmlReport
{
    public const string FileName = "report.html";

    /// <summary>A figure as written: its file name, caption, and PNG bytes (null when the sweep lacks its data).</summary>
    public sealed record Figure(string File, string Title, string Caption, byte[]? Png, string? Missing = null);

    /// <summary>Units and readings of each flatness metric, for captions.</summary>
    private static readonly Dictionary<string, (string Title, string Unit)> Metrics = new()
    {
        ["sharpness"] = ("ε-sharpness (Keskar et al. 2017)", "% rise of the training loss in the ε-box"),
        ["sharpness-subspace"] = ("ε-sharpness in a random subspace (Keskar et al. 2017)", "% rise of the training loss"),
        ["hessian-top"] = ("Hessian top eigenvalue λ_max", "λ_max of the training-loss Hessian (loss / weight²)"),
        ["hessian-trace"] = ("Hessian trace", "tr H of the training-loss Hessian"),
        ["relative-flatness"] = ("relative flatness κ (Petzka et al. 2021)", "κ of the classifier layer"),
        ["classifier-trace"] = ("classifier-layer Hessian trace", "tr H of the classifier layer's weights"),
        ["noise-scale"] = ("gradient noise scale B_simple (McCandlish et al. 2018)", "B_simple = tr Σ / |G|² (samples)"),
    };

    /// <summary>The figure if the sweep recorded its data, else its place with the line saying how to record it.</summary>
    private static Figure Optional(string file, string title, bool recorded, string caption, Func<byte[]> draw, string missing) =>
        recorded ? new Figure(file, title, caption, draw()) : new Figure(file, title, "", null, missing);

    public static IReadOnlyList<Figure> Figures(ReportData data, ReportPlots plots)
    {
        var figures = new List<Figure>
        {
            new("test-accuracy-vs-batch.png", "Test accuracy vs batch size",
                "Final test accuracy (fraction correct), mean ± std over seeds; one line per setting.",
                plots.ByBatch(data.TestAccuracyByBatch(), "Test accuracy vs batch size", "test accuracy (fraction correct)")),
            new("gap-vs-batch.png", "Generalization gap vs batch size",
                "Train accuracy − test accuracy at the end of training, mean ± std over seeds (Hoffer et al. 2017).",
                plots.ByBatch(data.GapByBatch(), "Generalization gap vs batch size", "gap = train acc − test acc (fraction)")),
        };

        var curves = data.DistanceByBatch();
        figures.Add(Optional("weight-distance-vs-log-updates.png", "Weight distance vs log(updates)", curves.Count > 0,
            "‖w_t − w₀‖ against the update count t on a log axis, mean over seeds of the first setting at each batch size; " +
            "dashed: the fit a·ln t + b. Hoffer et al. (2017) find a straight line (a random walk on a random potential).",
            () => plots.DistanceVsUpdates(curves),
            "no trajectory points were recorded (metrics.every-steps)"));

        foreach (var metric in new[] { "sharpness", "hessian-top", "relative-flatness" }.Concat(data.FlatnessMetrics).Distinct())
        {
            var (title, unit) = Metrics.GetValueOrDefault(metric, (metric, metric));
            var series = data.FlatnessByBatch(metric);
            figures.Add(Optional($"flatness-{metric}-vs-batch.png", $"{title} vs batch size", series.Count > 0,
                $"{unit}, at each trial's last measured epoch, mean ± std over seeds.",
                () => plots.ByBatch(series, $"{title} vs batch size", unit),
                $"not measured: add {metric} to metrics.flatness in the sweep file"));
        }

        var targets = data.StepsToTargetByBatch();
        figures.Add(Optional("steps-to-target-vs-batch.png", "Steps to target vs batch size", targets.Count > 0,
            "Updates until the target was first reached (interpolated between evaluations), at each batch size the fastest setting, " +
            "mean over its seeds (their spread is in the summary's steps-to columns), log-log (Shallue et al. 2018). Dotted: perfect scaling from the smallest batch; dashed: the gradient " +
            "noise scale B_simple at the smallest batch's first measurement, near which McCandlish et al. (2018) predict that larger batches stop saving steps.",
            () => plots.StepsToTarget(targets, data.NoiseScaleAtSmallestBatch()),
            "not measured: set metrics.targets (and metrics.eval-every-steps for resolution within an epoch) in the sweep file"));

        var heat = data.GapHeatmap();
        figures.Add(Optional("gap-heatmap-lr-batch.png", "Gap over learning rate × batch size", heat.Rows.Count > 0,
            "Mean train − test accuracy in each cell of (learning rate as run, batch size), pooling seeds and the other settings there; grey: not run.",
            () => plots.Heatmap(heat, "Generalization gap over learning rate × batch size", "gap (train − test accuracy)"),
            "no finished trials"));

        var between = data.InterpolationCurves();
        figures.Add(Optional("interpolation-between-trials.png", "Interpolation between trials", between.Count > 0,
            "Cross-entropy along θ(α) = α·θ_B + (1 − α)·θ_A, α from −1 to 2 (Keskar et al. 2017, Fig. 3): a sharp minimum rises steeply on its side.",
            () => plots.LogCurves(between, "Loss between two trials' final weights", "α (0 = trial A, 1 = trial B)", "cross-entropy loss"),
            "none stored: `sweepgrid interpolate TRIAL_A TRIAL_B` (e.g. a small- and a large-batch trial) adds one"));

        var densities = data.SpectrumDensities();
        figures.Add(Optional("hessian-density.png", "Hessian eigenvalue density", densities.Count > 0,
            "Eigenvalue density of the Hessian on the probe at the end of training, by stochastic Lanczos quadrature (Ghorbani et al. 2019): " +
            "each Lanczos node broadened by a Gaussian of 1 % of the nodes' span, seeds pooled; smallest and largest batch size.",
            () => plots.LogCurves(densities, "Hessian eigenvalue density", "eigenvalue", "density", markers: false),
            "not measured: hessian-top or hessian-trace in metrics.flatness with metrics.hessian.method = lanczos (the default) records it"));

        var walks = data.WalkCurvesByBatch();
        figures.Add(Optional("iterate-interpolation.png", "Iterate interpolation", walks.Count > 0,
            "Probe loss along θ_t + α(θ_{t+1} − θ_t) between consecutive iterates, at the first and last recorded step (Xing et al. 2018).",
            () => plots.LogCurves(walks, "Loss between consecutive iterates", "α (0 = θ_t, 1 = θ_t+1)", "cross-entropy loss on the probe"),
            "not recorded: set metrics.walk-every-steps > 0 in the sweep file"));
        return figures;
    }

    /// <summary>Writes report.html and the PNGs into the folder; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string sweep, ReportData data, IReadOnlyList<Figure> figures, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        var written = new List<string>();
        foreach (var f in figures.Where(f => f.Png is not null))
        {
            var path = Path.Combine(outDirectory, f.File);
            File.WriteAllBytes(path, f.Png!);
            written.Add(path);
        }

        var html = Path.Combine(outDirectory, FileName);
        File.WriteAllText(html, Render(sweep, data, figures), new UTF8Encoding(false));
        written.Insert(0, html);
        return written;
    }

    public static string Render(string sweep, ReportData data, IReadOnlyList<Figure> figures)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>SweepGrid report: {E(sweep)}</title>");
        html.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}" +
                        "figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em}img{max-width:100%;border:1px solid #ddd}" +
                        "table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}td{white-space:nowrap}" +
                        "td:first-child,th:first-child{text-align:left}.missing{color:#a00}</style></head><body>");
        html.AppendLine($"<h1>Sweep {E(sweep)}</h1>");
        html.AppendLine(FormattableString.Invariant(
            $"<p>{data.FinishedCount} of {data.TrialCount} trials finished. Generated by <code>sweepgrid report</code> on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>"));
        html.AppendLine("<h2>Summary: mean ± std over seeds</h2>");
        html.AppendLine(SummaryTable(data.Summary));
        html.AppendLine("<h2>Figures</h2>");
        foreach (var f in figures)
        {
            if (f.Png is null)
            {
                html.AppendLine($"<h3>{E(f.Title)}</h3><p class=\"missing\">{E(f.Missing ?? "no data")}</p>");
                continue;
            }

            html.AppendLine($"<figure id=\"{E(Path.GetFileNameWithoutExtension(f.File))}\"><h3>{E(f.Title)}</h3>");
            html.AppendLine($"<img alt=\"{E(f.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\">");
            html.AppendLine($"<figcaption>{E(f.Caption)} ({E(f.File)})</figcaption></figure>");
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>The `sweepgrid summary` table as HTML: same groups, same cells.</summary>
    private static string SummaryTable(IReadOnlyList<SeedStatistics.Group> groups)
    {
        var (header, rows) = SeedSummary.Table(groups);
        var html = new StringBuilder("<table>");
        html.Append("<tr>").Append(string.Concat(header.Select(h => $"<th>{E(h)}</th>"))).Append("</tr>");
        foreach (var row in rows) html.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).Append("</tr>");
        return html.Append("</table>").ToString();
    }

    private static string E(string text) => Html.Escape(text);
}
