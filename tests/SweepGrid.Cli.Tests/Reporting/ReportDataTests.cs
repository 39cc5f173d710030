using SweepGrid.Cli.Summaries;
using SweepGrid.Cli.Reporting;
using SweepGrid.Store;

namespace SweepGrid.Cli.Tests.Reporting;

/// <summary>The numbers behind the figures, from hand-made rows (no store, no drawing).</summary>
public sealed class ReportDataTests
{
    private static TrialRow Trial(string id, long batch, double lr, string scaling, long seed, double trainAcc, double? testAcc) =>
        new(id, Ordinal: 0, Status: testAcc is null ? "running" : "completed", Attempts: 1, Reason: null, Slot: null,
            batch, GridLearningRate: 0.1, lr, scaling, RegimeAdaptation: false, GhostBatchSize: 0, "weight-decay", RegularizerStrength: 0,
            seed, Epochs: 2, "mlp", "sgd", "constant",
            Steps: 10, TrainLoss: 0.1, TrainAccuracy: testAcc is null ? null : trainAcc, TestLoss: 0.2, TestAccuracy: testAcc, WeightDistance: 1.0, Seconds: 1.0,
            LogFitA: null, LogFitB: null, LogFitR2: null, ResumedFromEpoch: null);

    private static PointRow Point(string trial, long step, double distance) =>
        new(trial, step, Epoch: 1, LearningRate: 0.1, BatchLoss: null, GradientNorm: null, distance, StepLength: null, PathLength: null, TestLoss: null, TestAccuracy: null);

    private static readonly List<TrialRow> Trials =
    [
        Trial("a1", 32, 0.1, "none", 1, 0.95, 0.90),
        Trial("a2", 32, 0.1, "none", 2, 0.97, 0.88),
        Trial("b1", 256, 0.1, "none", 1, 0.99, 0.80),
        Trial("c1", 256, 0.2828, "sqrt", 1, 0.96, 0.86),
        Trial("c2", 256, 0.2828, "sqrt", 2, 0.90, null), // unfinished: in no mean
    ];

    private static ReportData Data(params PointRow[] points) => new(Trials, points, [], [], []);

    [Fact]
    public void Lines_are_settings_without_batch_size_and_seed_with_mean_and_std_over_seeds()
    {
        var gap = Data().GapByBatch();

        Assert.Equal(["lr 0.1 (none)", "lr 0.1 (sqrt)"], gap.Select(s => s.Label));
        var none = gap[0].Points;
        Assert.Equal([32.0, 256.0], none.Select(p => p.X));
        Assert.Equal(0.07, none[0].Mean, 12);                 // gaps 0.05 and 0.09
        Assert.Equal(0.04 / Math.Sqrt(2), none[0].Std, 12);   // sample std of two values
        Assert.Equal((0.19, 1), (Math.Round(none[1].Mean, 12), none[1].N));
        Assert.Equal(1, Assert.Single(gap[1].Points).N);
    }

    private static EpochRow Epoch(string trial, long epoch, long step, double testAcc) =>
        new(trial, epoch, step, LearningRate: 0.1, TrainLoss: 0.5, TrainAccuracy: 0.9, TestLoss: 0.6, testAcc, WeightDistance: 1, Seconds: 1);

    private static FlatnessRow Flatness(string trial, string metric, double value, long epoch = 2) => new(trial, epoch, metric, value, StandardError: null, Seconds: 1, Iterations: 1);

    [Fact]
    public void Steps_to_target_take_the_fastest_setting_at_each_batch_size_that_every_seed_brought_there()
    {
        var targets = TargetSteps.Of(new Core.Sweeps.TargetSpec("test-accuracy", [0.7, 0.85]),
        [
            Epoch("a1", 1, 10, 0.5), Epoch("a1", 2, 20, 0.9), // 0.7 at step 15, 0.85 at 18.75
            Epoch("a2", 1, 10, 0.6), Epoch("a2", 2, 20, 0.8), // 0.7 at 15, never 0.85
            Epoch("b1", 1, 2, 0.5), Epoch("b1", 2, 4, 0.7),   // 0.7 at 4
            Epoch("c1", 1, 2, 0.6), Epoch("c1", 2, 4, 0.8),   // 0.7 at 3
        ], []);
        // B_simple at the smallest batch's earliest measurement (epoch 1), not its drowned last one.
        var data = new ReportData(Trials, [],
            [Flatness("a1", "noise-scale", 100, epoch: 1), Flatness("a2", "noise-scale", 200, epoch: 1), Flatness("a1", "noise-scale", -900, epoch: 2),
             Flatness("b1", "noise-scale", 50, epoch: 1)],
            [], [], null, targets);

        var series = data.StepsToTargetByBatch();

        // 0.85: a2 never got there, so B=32's line does not compete, and no setting at 256 reached it.
        var line = Assert.Single(series);
        Assert.Equal("test-accuracy 0.7", line.Label);
        Assert.Equal([32.0, 256.0], line.Points.Select(p => p.X));
        Assert.Equal(15.0, line.Points[0].Mean, 12);
        Assert.Equal((0.0, 2), (Math.Round(line.Points[0].Std, 12), line.Points[0].N));
        Assert.Equal(3.0, line.Points[1].Mean, 12); // the sqrt setting (c1) beat b1's 4
        Assert.Equal((32L, 1L, 150.0), data.NoiseScaleAtSmallestBatch());
        // The summary counts the seeds that reached each target.
        var b32 = data.Summary.Single(g => g.Setting.BatchSize == 32);
        Assert.Equal(["15 ± 0", "19 (1/2)"], b32.Targets.Select(t => t.Format()));
    }

    [Fact]
    public void The_heatmap_averages_each_cell_and_leaves_empty_cells_nan()
    {
        var map = Data().GapHeatmap();

        Assert.Equal([0.1, 0.2828], map.Rows);
        Assert.Equal([32.0, 256.0], map.Columns);
        Assert.Equal(0.07, map.Values[0, 0], 12);
        Assert.Equal(0.19, map.Values[0, 1], 12);
        Assert.True(double.IsNaN(map.Values[1, 0]));
        Assert.Equal(0.10, map.Values[1, 1], 12);
    }

    [Fact]
    public void Distance_curves_average_the_seeds_of_the_first_setting_and_fit_log_t()
    {
        // Seeds 1 and 2 of B = 32 straddle 2·ln t + 1 by ±0.5: the mean is exactly on it.
        var points = new[] { 1L, 10, 100, 1000 }
            .SelectMany(t => new[] { Point("a1", t, 2 * Math.Log(t) + 1.5), Point("a2", t, 2 * Math.Log(t) + 0.5) })
            .Append(Point("c1", 5, 3.0)) // B = 256's first setting is b1 (grid order), which has no points
            .ToArray();

        var curves = Data(points).DistanceByBatch();

        var curve = Assert.Single(curves);
        Assert.Equal(32, curve.BatchSize);
        Assert.Equal(4, curve.Points.Count);
        Assert.Equal(2.0, curve.Fit!.A, 9);
        Assert.Equal(1.0, curve.Fit.B, 9);
        Assert.Equal(1.0, curve.Fit.R2, 9);
    }

    private static IEnumerable<SpectrumRow> Spectrum(string trial, long epoch, params (double Value, double Weight)[] nodes) =>
        nodes.Select((n, i) => new SpectrumRow(trial, epoch, Run: 0, Node: i, n.Value, n.Weight));

    [Fact]
    public void Densities_pool_the_seeds_of_each_setting_of_the_smallest_and_largest_batch_at_their_last_measurement()
    {
        var spectrum = Spectrum("a1", 2, (0.0, 0.9), (5.0, 0.1))
            .Concat(Spectrum("a2", 2, (0.1, 0.95), (6.0, 0.05)))
            .Concat(Spectrum("b1", 1, (0.0, 0.5), (10.0, 0.5))) // superseded by its epoch-2 measurement
            .Concat(Spectrum("b1", 2, (0.0, 0.8), (50.0, 0.2)))
            .Concat(Spectrum("c1", 2, (0.2, 1.0)))
            .ToList();
        var data = new ReportData(Trials, [], [], [], [], spectrum);

        var curves = data.SpectrumDensities();

        Assert.Equal(["B=32 (lr 0.1 (none)), 2 seed(s)", "B=256 (lr 0.1 (none)), 1 seed(s)", "B=256 (lr 0.1 (sqrt)), 1 seed(s)"], curves.Select(c => c.Label));
        double Peak(Curve c, double near) => c.Points.Where(p => Math.Abs(p.X - near) < 1).Select(p => p.Y).DefaultIfEmpty(0).Max();
        Assert.True(Peak(curves[1], 50) > 1e-3, "the large batch's outlier at 50");
        Assert.True(curves[1].Points.Min(p => p.X) < 0 && curves[1].Points.Max(p => p.X) > 50);
        Assert.DoesNotContain(curves[1].Points, p => Math.Abs(p.X - 10) < 0.5 && p.Y > 1e-3); // epoch 1's node is not drawn
        Assert.True(Peak(curves[0], 5.5) > 1e-3 && curves[0].Points.Max(p => p.X) < 7);
    }
}
