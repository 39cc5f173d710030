using SweepGrid.Cli.Summaries;
using SweepGrid.Core.Numerics;
using System.Globalization;
using SweepGrid.Cli.Output;
using SweepGrid.Store;
using SweepGrid.Core.Results;

namespace SweepGrid.Cli.Reporting;

/// <summary>One x value of a line: the mean and sample standard deviation over the trials there (seeds).</summary>
internal sealed record SeriesPoint(double X, double Mean, double Std, int N);

/// <summary>A labelled line of a plot.</summary>
internal sealed record Series(string Label, IReadOnlyList<SeriesPoint> Points);

/// <summary>‖w_t − w0‖ of one batch size against the update count t, with its fit a·ln t + b.</summary>
internal sealed record DistanceCurve(long BatchSize, string Setting, IReadOnlyList<(double Step, double Distance)> Points, LogFit? Fit);

/// <summary>A matrix of cells over two axes; NaN where no trial ran.</summary>
internal sealed record Grid2D(IReadOnlyList<double> Rows, IReadOnlyList<double> Columns, double[,] Values);

/// <summary>Loss along α between two weight vectors (another trial's, or the next iterate's).</summary>
internal sealed record Curve(string Label, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// The numbers behind each plot of the report, computed from the stored rows without drawing
/// anything, so the grouping and averaging are testable on their own. A "line" is a setting with
/// the batch size and seed taken out: the learning-rate rule, base learning rate, ghost batch size,
/// regime adaptation and regularizer, which is what Hoffer et al. (2017, Table 1) compare across
/// batch sizes.
/// </summary>
internal sealed class ReportData
{
    private readonly IReadOnlyList<TrialRow> _trials;
    private readonly IReadOnlyList<TrialRow> _finished;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> _finalFlatness;
    private readonly IReadOnlyDictionary<string, Spectra.Measurement> _finalSpectra;
    private readonly TargetSteps _targets;
    private readonly IReadOnlyList<FlatnessRow> _flatness;

    public ReportData(
        IReadOnlyList<TrialRow> trials,
        IReadOnlyList<PointRow> points,
        IReadOnlyList<FlatnessRow> flatness,
        IReadOnlyList<InterpolationRow> interpolations,
        IReadOnlyList<WalkCurveRow> walkCurves,
        IReadOnlyList<SpectrumRow>? spectrum = null,
        TargetSteps? targets = null)
    {
        _targets = targets ?? TargetSteps.None;
        _flatness = flatness;
        _finalSpectra = Spectra.Final(spectrum ?? []);
        _trials = trials;
        _finished = trials.Where(t => t.Finished).ToList();
        _finalFlatness = SeedStatistics.FinalFlatness(flatness);
        Points = points;
        Interpolations = interpolations;
        WalkCurves = walkCurves;
        Summary = SeedStatistics.Summarize(trials, flatness, _targets);
    }

    /// <summary>Everything the report shows of a stored sweep, read once.</summary>
    public static ReportData Load(ResultsStore store, string sweep, IReadOnlyList<TrialRow> trials)
    {
        var points = store.Read.Points(sweep);
        return new(trials, points, store.Read.Flatness(sweep), store.Read.Interpolations(sweep), store.Read.WalkCurves(sweep), store.Read.Spectrum(sweep),
            TargetSteps.Load(store, sweep, points: points));
    }

    public IReadOnlyList<PointRow> Points { get; }

    public IReadOnlyList<InterpolationRow> Interpolations { get; }

    public IReadOnlyList<WalkCurveRow> WalkCurves { get; }

    /// <summary>Mean ± std over seeds per setting, the same table `sweepgrid summary` prints.</summary>
    public IReadOnlyList<SeedStatistics.Group> Summary { get; }

    public int TrialCount => _trials.Count;

    public int FinishedCount => _finished.Count;

    /// <summary>
    /// Flatness metrics measured at the end of at least one trial, in name order; only names SweepGrid
    /// records (<see cref="FlatnessRecord.KnownMetrics"/>): each names a figure's file.
    /// </summary>
    public IReadOnlyList<string> FlatnessMetrics =>
        _finalFlatness.Values.SelectMany(m => m.Keys).Where(FlatnessRecord.KnownMetrics.Contains).Distinct().Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<Series> TestAccuracyByBatch() => ByBatch(t => t.TestAccuracy!.Value);

    /// <summary>Generalization gap as train accuracy − test accuracy (Hoffer et al. 2017, §1).</summary>
    public IReadOnlyList<Series> GapByBatch() => ByBatch(t => t.Gap!.Value);

    /// <summary>A flatness metric's value at each trial's last measured epoch, by batch size.</summary>
    public IReadOnlyList<Series> FlatnessByBatch(string metric) => ByBatch(t => FlatnessValue(t, metric));

    /// <summary>
    /// Mean gap over the trials in each (learning rate as run, batch size) cell, pooling seeds and any
    /// other setting in the cell. Rows are learning rates ascending, columns batch sizes ascending.
    /// </summary>
    public Grid2D GapHeatmap()
    {
        var rates = _finished.Select(t => t.LearningRate).Distinct().Order().ToList();
        var batches = _finished.Select(t => (double)t.BatchSize).Distinct().Order().ToList();
        var values = new double[rates.Count, batches.Count];
        for (int i = 0; i < rates.Count; i++)
        {
            for (int j = 0; j < batches.Count; j++)
            {
                var cell = _finished.Where(t => t.LearningRate == rates[i] && t.BatchSize == batches[j]).ToList();
                values[i, j] = cell.Count == 0 ? double.NaN : cell.Average(t => t.Gap!.Value);
            }
        }

        return new Grid2D(rates, batches, values);
    }

    /// <summary>
    /// One curve per batch size: the first setting (in grid order) run at that batch size, ‖w_t − w0‖
    /// averaged over its finished seeds at each recorded step, and the log fit of that mean curve.
    /// </summary>
    public IReadOnlyList<DistanceCurve> DistanceByBatch()
    {
        var curves = new List<DistanceCurve>();
        foreach (var batch in _finished.GroupBy(t => t.BatchSize).OrderBy(g => g.Key))
        {
            var line = batch.GroupBy(LineKey).First();
            var members = line.Select(t => t.Trial).ToHashSet();
            var mean = Points
                .Where(p => members.Contains(p.Trial))
                .GroupBy(p => p.Step)
                .Where(g => g.Count() == members.Count)
                .OrderBy(g => g.Key)
                .Select(g => ((double)g.Key, g.Average(p => p.WeightDistance)))
                .ToList();
            if (mean.Count == 0) continue;
            curves.Add(new DistanceCurve(batch.Key, LineLabel(line.First()), mean, LogFit.Of(mean)));
        }

        return curves;
    }

    /// <summary>Train and test loss along α·θ_B + (1 − α)·θ_A for each stored pair (Keskar et al. 2017, Fig. 3).</summary>
    public IReadOnlyList<Curve> InterpolationCurves() =>
        Interpolations
            .GroupBy(r => (r.TrialA, r.TrialB))
            .SelectMany(g => new[]
            {
                new Curve($"{Describe(g.Key.TrialA)} → {Describe(g.Key.TrialB)}: train loss",
                    g.Where(r => r.TrainLoss is not null).Select(r => (r.Alpha, r.TrainLoss!.Value)).ToList()),
                new Curve($"{Describe(g.Key.TrialA)} → {Describe(g.Key.TrialB)}: test loss",
                    g.Where(r => r.TestLoss is not null).Select(r => (r.Alpha, r.TestLoss!.Value)).ToList()),
            })
            .ToList();

    /// <summary>
    /// The probe loss between consecutive iterates, θ_t + α(θ_{t+1} − θ_t) (Xing et al. 2018): for the
    /// first trial of each batch size that recorded walks, the curves at its first and last walk step.
    /// </summary>
    public IReadOnlyList<Curve> WalkCurvesByBatch()
    {
        var byTrial = WalkCurves.GroupBy(r => r.Trial).ToDictionary(g => g.Key, g => g.ToList());
        var curves = new List<Curve>();
        foreach (var batch in _trials.Where(t => byTrial.ContainsKey(t.Trial)).GroupBy(t => t.BatchSize).OrderBy(g => g.Key))
        {
            var first = batch.First();
            var steps = byTrial[first.Trial].Select(r => r.Step).Distinct().Order().ToList();
            foreach (var step in new[] { steps[0], steps[^1] }.Distinct())
            {
                curves.Add(new Curve(FormattableString.Invariant($"B={batch.Key} ({LineLabel(first)}), step {step}"),
                    byTrial[first.Trial].Where(r => r.Step == step).Select(r => (r.Alpha, r.Loss)).ToList()));
            }
        }

        return curves;
    }

    /// <summary>
    /// The Hessian's eigenvalue density at each trial's last measurement, its seeds' Lanczos runs
    /// pooled: one curve per setting of the smallest and of the largest batch size measured (Ghorbani
    /// et al. 2019 compare them: large batches grow outliers and a wider bulk). An outlier carries a
    /// weight of about 1/n (one eigenvalue of n parameters), a millionth of the bulk's for a network of
    /// a million; densities below 10⁻¹⁰ of a curve's peak are drawn at that floor, so that the log axis
    /// shows the bulk and the outliers, not the Gaussian tails.
    /// </summary>
    public IReadOnlyList<Curve> SpectrumDensities()
    {
        var measured = _trials.Where(t => _finalSpectra.ContainsKey(t.Trial)).ToList();
        var batches = measured.Select(t => t.BatchSize).Distinct().Order().ToList();
        var curves = new List<Curve>();
        foreach (var batch in batches.Count == 0 ? [] : new[] { batches[0], batches[^1] }.Distinct())
        {
            foreach (var line in measured.Where(t => t.BatchSize == batch).GroupBy(LineKey))
            {
                var runs = line.SelectMany(t => _finalSpectra[t.Trial].Runs).ToList();
                var density = SpectralQuadrature.DensityOf(runs, Spectra.DensityPoints);
                double floor = density.Max(p => p.Density) * 1e-10;
                curves.Add(new Curve(FormattableString.Invariant($"B={batch} ({LineLabel(line.First())}), {line.Count()} seed(s)"),
                    density.Select(p => (p.Eigenvalue, Math.Max(p.Density, floor))).ToList()));
            }
        }

        return curves;
    }

    /// <summary>
    /// Steps to each target against batch size, one line per target (Shallue et al. 2018, Fig. 1): at each
    /// batch size the setting that reached it in the fewest updates, mean ± std over its seeds, as Shallue et
    /// al. plot the best of their metaparameter search at each batch size. Only settings whose every finished
    /// seed reached the target compete: a mean over the seeds that happened to reach it would flatter a setting.
    /// </summary>
    public IReadOnlyList<Series> StepsToTargetByBatch() =>
        _targets.Spec.Values.Select((target, i) => new Series(
            $"{_targets.Spec.Metric} {target.ToString("G4", CultureInfo.InvariantCulture)}",
            _finished
                .GroupBy(t => t.BatchSize)
                .OrderBy(g => g.Key)
                .Select(batch => batch.GroupBy(LineKey)
                    .Select(line => line.Select(t => _targets.ByTrial.GetValueOrDefault(t.Trial)?[i]).ToList())
                    .Where(reached => reached.All(r => r is not null))
                    .Select(reached => SeedStatistics.Of(reached, r => r!.Step))
                    .Select(stat => new SeriesPoint(batch.Key, stat.Mean, stat.Std, stat.N))
                    .MinBy(p => p.Mean))
                .OfType<SeriesPoint>()
                .ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();

    /// <summary>
    /// The gradient noise scale B_simple (McCandlish et al. 2018) at the smallest batch size that measured it,
    /// at the earliest epoch measured there: the mean over those trials, or null. McCandlish et al. find the
    /// critical batch size, past which more samples per step stop saving steps, near it. The earliest and not
    /// the last measurement, because B_simple grows as training goes on and near a minimum its |G|² estimate
    /// drowns in noise: its standard error there can exceed the value (docs/gap-fashion-mnist-full.md).
    /// </summary>
    public (long BatchSize, long Epoch, double Value)? NoiseScaleAtSmallestBatch()
    {
        var finished = _finished.ToDictionary(t => t.Trial, t => t.BatchSize);
        var measured = _flatness
            .Where(f => f.Metric == "noise-scale" && f.Value is { } v && double.IsFinite(v) && finished.ContainsKey(f.Trial))
            .Select(f => (Batch: finished[f.Trial], f.Epoch, Value: f.Value!.Value))
            .ToList();
        if (measured.Count == 0) return null;
        long smallest = measured.Min(x => x.Batch);
        long epoch = measured.Where(x => x.Batch == smallest).Min(x => x.Epoch);
        return (smallest, epoch, measured.Where(x => x.Batch == smallest && x.Epoch == epoch).Average(x => x.Value));
    }

    private double FlatnessValue(TrialRow trial, string metric) =>
        _finalFlatness.TryGetValue(trial.Trial, out var m) && m.TryGetValue(metric, out var v) ? v : double.NaN;

    /// <summary>Every setting except batch size and seed; the learning rate compared is the base (grid) one.</summary>
    public static object LineKey(TrialRow t) =>
        (t.GridLearningRate, t.LrScaling, t.RegimeAdaptation, t.GhostBatchSize, t.Regularizer, t.RegularizerStrength, t.Model, t.Optimizer);

    /// <summary>A legend label naming what the line varies, e.g. "lr 0.05 (sqrt), ghost 128, RA".</summary>
    public static string LineLabel(TrialRow t)
    {
        var parts = new List<string> { FormattableString.Invariant($"lr {t.GridLearningRate:G4} ({t.LrScaling})") };
        if (t.GhostBatchSize > 0) parts.Add($"ghost {t.GhostBatchSize}");
        if (t.RegimeAdaptation) parts.Add("RA");
        if (t.RegularizerStrength > 0) parts.Add(FormattableString.Invariant($"{t.Regularizer} {t.RegularizerStrength:G3}"));
        return string.Join(", ", parts);
    }

    private string Describe(string trial)
    {
        var row = _trials.FirstOrDefault(t => t.Trial == trial);
        return row is null ? trial : FormattableString.Invariant($"B={row.BatchSize} seed {row.Seed} ({trial})");
    }

    private IReadOnlyList<Series> ByBatch(Func<TrialRow, double> value) =>
        _finished
            .GroupBy(LineKey)
            .Select(line => new Series(
                LineLabel(line.First()),
                line.GroupBy(t => t.BatchSize)
                    .OrderBy(g => g.Key)
                    .Select(g => (Batch: g.Key, Stat: SeedStatistics.Of(g.Select(value).Where(double.IsFinite).ToList(), v => v)))
                    .Where(x => x.Stat.N > 0)
                    .Select(x => new SeriesPoint(x.Batch, x.Stat.Mean, x.Stat.Std, x.Stat.N))
                    .ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();
}
