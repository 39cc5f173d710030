using System.Globalization;
using ScottPlot;

namespace SweepGrid.Cli.Reporting;

/// <summary>
/// Draws the report's figures with ScottPlot as PNG bytes. Batch sizes sit on a log2 axis labelled
/// with the sizes themselves (they are usually powers of two); update counts on a ln axis labelled
/// with powers of ten, where Hoffer et al.'s ‖w_t − w0‖ ∝ log t is a straight line.
/// </summary>
internal sealed class ReportPlots(int width, int height)
{
    public byte[] ByBatch(IReadOnlyList<Series> series, string title, string yLabel)
    {
        var plot = NewPlot(title, "batch size B (samples, log₂ axis)", yLabel);
        foreach (var (s, i) in series.Select((s, i) => (s, i)))
        {
            var color = Palette(i);
            double[] xs = s.Points.Select(p => Math.Log2(p.X)).ToArray();
            double[] ys = s.Points.Select(p => p.Mean).ToArray();
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = s.Label;
            line.MarkerSize = 8;
            line.LineWidth = 2;
            if (s.Points.Any(p => p.N > 1))
            {
                var bars = plot.Add.ErrorBar(xs, ys, s.Points.Select(p => p.Std).ToArray());
                bars.Color = color;
            }
        }

        BatchTicks(plot, series.SelectMany(s => s.Points.Select(p => p.X)));
        return Png(plot);
    }

    /// <summary>
    /// Steps to target against batch size on log-log axes (Shallue et al. 2018, Fig. 1; McCandlish et al. 2018,
    /// Fig. 1): each line dotted on from its smallest batch with slope −1, perfect scaling (twice the batch,
    /// half the steps); where the measured line leaves it, larger batches stop paying. B_simple, the gradient
    /// noise scale, is drawn as a vertical line: McCandlish et al. predict the bend near it.
    /// </summary>
    public byte[] StepsToTarget(IReadOnlyList<Series> series, (long BatchSize, long Epoch, double Value)? noiseScale)
    {
        var plot = NewPlot("Steps to target vs batch size", "batch size B (samples, log₂ axis)", "updates to reach the target (log₁₀ axis)");
        // The lines fall from the upper left: the lower left is where the legend hides nothing.
        plot.ShowLegend(Alignment.LowerLeft);
        var logs = new List<double>();
        foreach (var (s, i) in series.Select((s, i) => (s, i)))
        {
            var color = Palette(i);
            double[] xs = s.Points.Select(p => Math.Log2(p.X)).ToArray();
            double[] ys = s.Points.Select(p => Math.Log10(p.Mean)).ToArray();
            logs.AddRange(ys);
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = s.Label;
            line.MarkerSize = 8;
            line.LineWidth = 2;
            var first = s.Points[0];
            double lastX = s.Points[^1].X;
            if (lastX > first.X)
            {
                // Perfect scaling: steps × B constant, a line of slope −1 in log-log (log₁₀ steps against log₂ B).
                double y1 = Math.Log10(first.Mean * first.X / lastX);
                var ideal = plot.Add.Line(Math.Log2(first.X), Math.Log10(first.Mean), Math.Log2(lastX), y1);
                ideal.Color = color;
                ideal.LinePattern = LinePattern.Dotted;
                ideal.LineWidth = 1.5f;
                ideal.LegendText = "perfect scaling (slope −1)";
                logs.Add(y1);
            }
        }

        var sizes = series.SelectMany(s => s.Points.Select(p => p.X)).ToList();
        if (noiseScale is { } b && b.Value > 0)
        {
            var marker = plot.Add.VerticalLine(Math.Log2(b.Value));
            marker.Color = Colors.Gray;
            marker.LinePattern = LinePattern.Dashed;
            marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"B_simple = {b.Value:G3} (noise scale at B={b.BatchSize} after epoch {b.Epoch})");
            sizes.Add(b.Value);
        }

        BatchTicks(plot, sizes.Where(x => series.Any(s => s.Points.Any(p => p.X == x))));
        if (sizes.Count > 0) plot.Axes.SetLimitsX(Math.Log2(sizes.Min()) - 0.3, Math.Log2(sizes.Max()) + 0.3);
        DecadeTicks(plot, logs);
        return Png(plot);
    }

    public byte[] DistanceVsUpdates(IReadOnlyList<DistanceCurve> curves)
    {
        var plot = NewPlot("Weight distance from initialization vs updates", "weight updates t (ln axis)", "‖w_t − w₀‖ (L2 norm, all weights)");
        foreach (var (c, i) in curves.Select((c, i) => (c, i)))
        {
            var color = Palette(i);
            var data = c.Points.Where(p => p.Step >= 1).ToList();
            var line = plot.Add.Scatter(data.Select(p => Math.Log(p.Step)).ToArray(), data.Select(p => p.Distance).ToArray(), color);
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = c.Fit is { } f
                ? string.Create(CultureInfo.InvariantCulture, $"B={c.BatchSize} ({c.Setting}): slope a = {f.A:F3} per ln t, R² = {f.R2:F3}")
                : $"B={c.BatchSize} ({c.Setting})";
            if (c.Fit is { } fit && data.Count > 1)
            {
                double x0 = Math.Log(data[0].Step), x1 = Math.Log(data[^1].Step);
                var fitted = plot.Add.Line(x0, fit.A * x0 + fit.B, x1, fit.A * x1 + fit.B);
                fitted.Color = color;
                fitted.LinePattern = LinePattern.Dashed;
                fitted.LineWidth = 1.5f;
            }
        }

        var steps = curves.SelectMany(c => c.Points.Select(p => p.Step)).Where(s => s >= 1).ToList();
        if (steps.Count > 0)
        {
            var decades = Enumerable.Range(0, (int)Math.Floor(Math.Log10(steps.Max())) + 1).Select(k => Math.Pow(10, k)).ToList();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                decades.Select(d => Math.Log(d)).ToArray(), decades.Select(d => d.ToString("N0", CultureInfo.InvariantCulture)).ToArray());
        }

        return Png(plot);
    }

    public byte[] Heatmap(Grid2D grid, string title, string colorLabel)
    {
        var plot = NewPlot(title, "batch size B (samples)", "learning rate η (as run)");
        // ScottPlot draws row 0 at the top; flip so the smallest learning rate is at the bottom.
        int rows = grid.Rows.Count, cols = grid.Columns.Count;
        var flipped = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++) flipped[i, j] = grid.Values[rows - 1 - i, j];
        }

        var map = plot.Add.Heatmap(flipped);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.NaNCellColor = Colors.LightGray;
        var bar = plot.Add.ColorBar(map);
        bar.Label = colorLabel;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (double.IsNaN(grid.Values[i, j])) continue;
                var text = plot.Add.Text(grid.Values[i, j].ToString("F3", CultureInfo.InvariantCulture), j, i);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = Colors.White;
                text.LabelFontSize = 14;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(j => (double)j).ToArray(),
            grid.Columns.Select(b => b.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(i => (double)i).ToArray(),
            grid.Rows.Select(r => r.ToString("G4", CultureInfo.InvariantCulture)).ToArray());
        return Png(plot);
    }

    /// <summary>
    /// Curves on a log₁₀ y axis: interpolated losses span orders of magnitude (a sharp side rises by
    /// thousands, and a flat valley floor would be invisible on a linear axis), and so do eigenvalue
    /// densities (a bulk and outliers a hundred times rarer).
    /// </summary>
    /// <param name="markers">Points marked (few, measured points); false for dense, computed curves.</param>
    public byte[] LogCurves(IReadOnlyList<Curve> curves, string title, string xLabel, string yLabel, bool markers = true)
    {
        var plot = NewPlot(title, xLabel, $"{yLabel} (log₁₀ axis)");
        var logs = new List<double>();
        foreach (var (c, i) in curves.Select((c, i) => (c, i)))
        {
            var points = c.Points.Where(p => p.Y > 0 && double.IsFinite(p.Y)).ToList();
            var ys = points.Select(p => Math.Log10(p.Y)).ToArray();
            logs.AddRange(ys);
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), ys, Palette(i));
            line.LegendText = c.Label;
            line.MarkerSize = markers ? 4 : 0;
            line.LineWidth = 2;
        }

        DecadeTicks(plot, logs);
        return Png(plot);
    }

    /// <summary>A log₁₀ y axis labelled with the powers of ten its values span.</summary>
    private static void DecadeTicks(Plot plot, IReadOnlyList<double> logs)
    {
        if (logs.Count == 0) return;
        var decades = Enumerable.Range((int)Math.Floor(logs.Min()), (int)Math.Ceiling(logs.Max()) - (int)Math.Floor(logs.Min()) + 1).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            decades.Select(d => (double)d).ToArray(), decades.Select(d => Math.Pow(10, d).ToString("G6", CultureInfo.InvariantCulture)).ToArray());
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static void BatchTicks(Plot plot, IEnumerable<double> batchSizes)
    {
        var sizes = batchSizes.Distinct().Order().ToArray();
        if (sizes.Length == 0) return;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            sizes.Select(s => Math.Log2(s)).ToArray(), sizes.Select(b => b.ToString(CultureInfo.InvariantCulture)).ToArray());
        double pad = sizes.Length == 1 ? 1 : 0.3;
        plot.Axes.SetLimitsX(Math.Log2(sizes[0]) - pad, Math.Log2(sizes[^1]) + pad);
    }

    private static Color Palette(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    private byte[] Png(Plot plot) => plot.GetImageBytes(width, height, ImageFormat.Png);
}
