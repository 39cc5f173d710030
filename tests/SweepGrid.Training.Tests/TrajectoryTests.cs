using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Tests;

public sealed class TrajectoryTests
{
    private sealed class Everything : ITrainingObserver
    {
        public List<EpochRecord> Epochs { get; } = [];

        public List<TrajectoryPoint> Points { get; } = [];

        public List<FlatnessRecord> Flatness { get; } = [];

        public List<WalkRecord> Walks { get; } = [];

        public void OnWalk(WalkRecord record) => Walks.Add(record);

        public void OnEpoch(EpochRecord record) => Epochs.Add(record);

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points) => Points.AddRange(points);

        public void OnFlatness(FlatnessRecord record) => Flatness.Add(record);
    }

    private static (TrialOutcome Outcome, Everything Seen) Run(string metrics, string model = "")
    {
        var trial = SyntheticSweeps.Trial($"metrics {{ {metrics} }}\n{model}", epochs: 3);
        var seen = new Everything();
        var outcome = Trainer.Run(trial, Datasets.Load(trial.Dataset), seen, CancellationToken.None);
        return (outcome, seen);
    }

    [Fact]
    public void Eval_every_steps_adds_test_evaluations_to_points_and_leaves_training_exactly_as_it_was()
    {
        var (plain, without) = Run("every-steps = 5");
        var (evaluated, with) = Run("every-steps = 5, eval-every-steps = 8");

        // 16 steps per epoch: evaluations at 8, 16, ..., 48; points also at every 5th step and epoch ends.
        Assert.Equal([8L, 16, 24, 32, 40, 48], with.Points.Where(p => double.IsFinite(p.TestAccuracy)).Select(p => p.Step));
        Assert.Equal([5L, 8, 10, 15, 16, 20, 24, 25, 30, 32, 35, 40, 45, 48], with.Points.Select(p => p.Step));
        Assert.All(without.Points, p => Assert.True(double.IsNaN(p.TestAccuracy) && double.IsNaN(p.TestLoss)));
        // An evaluation at an epoch's end is that epoch's test evaluation: the same weights, the same pass.
        foreach (var epoch in with.Epochs)
        {
            var end = with.Points.Single(p => p.Step == epoch.Step);
            Assert.Equal(epoch.TestAccuracy, end.TestAccuracy);
            Assert.Equal(epoch.TestLoss, end.TestLoss);
        }

        // Evaluating draws no random numbers and leaves batch norm's running statistics alone.
        Assert.Equal(without.Epochs, with.Epochs.Select(e => e with { Seconds = without.Epochs[e.Epoch - 1].Seconds }));
        Assert.Equal(plain.Final!.TrainLoss, evaluated.Final!.TrainLoss);
        var shared = without.Points.Select(p => p.Step).ToHashSet();
        Assert.Equal(without.Points.Select(p => p.WeightDistance), with.Points.Where(p => shared.Contains(p.Step)).Select(p => p.WeightDistance));
    }

    [Fact]
    public void Points_are_taken_every_k_steps_and_at_each_epoch_end()
    {
        var (outcome, seen) = Run("every-steps = 5");

        // 16 steps per epoch: 5, 10, 15, 16 | 20, 25, 30, 32 | 35, 40, 45, 48.
        Assert.Equal([5L, 10, 15, 16, 20, 25, 30, 32, 35, 40, 45, 48], seen.Points.Select(p => p.Step));
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], seen.Points.Select(p => p.Epoch));
        foreach (var epoch in seen.Epochs)
        {
            var end = seen.Points.Single(p => p.Step == epoch.Step);
            Assert.Equal(epoch.WeightDistance, end.WeightDistance, 5);
        }

        Assert.All(seen.Points, p =>
        {
            Assert.True(p.GradientNorm > 0 && p.StepLength > 0 && double.IsFinite(p.BatchLoss));
            Assert.True(double.IsNaN(p.PathLength), "path length is off by default");
            Assert.Equal(p.WeightDistance, Math.Sqrt(p.LayerDistances.Values.Sum(d => d * d)), 6);
        });
        Assert.Contains("body.fc0.weight", seen.Points[0].LayerDistances.Keys);
        Assert.NotNull(outcome.DistanceFit);
    }

    [Fact]
    public void The_path_length_never_decreases_and_is_never_shorter_than_the_displacement()
    {
        var (_, seen) = Run("every-steps = 3, path-length = true");

        var paths = seen.Points.Select(p => p.PathLength).ToList();
        Assert.All(paths.Zip(paths.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        // Triangle inequality: the sum of the steps from w0 is at least ‖w_t − w0‖.
        Assert.All(seen.Points, p => Assert.True(p.PathLength >= p.WeightDistance - 1e-6, $"{p.PathLength} < {p.WeightDistance}"));
        Assert.True(paths[^1] > seen.Points[^1].WeightDistance * 1.01, "SGD's walk is longer than its displacement");
    }

    [Fact]
    public void Flatness_is_measured_at_the_listed_epochs_and_at_the_end_with_its_cost()
    {
        var (_, seen) = Run("flatness = [sharpness, hessian-top, hessian-trace, relative-flatness], flatness-epochs = [1], probe-size = 128");

        Assert.Equal([1, 3], seen.Flatness.Select(f => f.Epoch).Distinct());
        Assert.Equal(["classifier-trace", "hessian-top", "hessian-trace", "relative-flatness", "sharpness"],
            seen.Flatness.Where(f => f.Epoch == 3).Select(f => f.Metric).Order());
        Assert.All(seen.Flatness, f => Assert.True(double.IsFinite(f.Value) && f.Seconds >= 0 && f.Iterations >= 1, $"{f}"));
        Assert.All(seen.Flatness.Where(f => f.Metric is "hessian-top" or "hessian-trace" or "relative-flatness"), f => Assert.True(f.Value > 0));
    }

    [Fact]
    public void The_walk_between_iterates_starts_where_the_previous_one_ended()
    {
        // Without batch norm the probe loss depends on the weights alone: the end (α = 1, θ_{t+1}) of
        // one step's segment is the start (α = 0) of the next one's.
        var (_, seen) = Run("walk-every-steps = 1, walk-points = 6, probe-size = 64", "model { norm = none }");

        Assert.Equal(48, seen.Walks.Count);
        Assert.Equal(Enumerable.Range(1, 48).Select(i => (long)i), seen.Walks.Select(w => w.Step));
        Assert.All(seen.Walks, w => Assert.Equal(6, w.Losses.Count));
        Assert.All(seen.Walks.Zip(seen.Walks.Skip(1)), pair => Assert.Equal(pair.First.Losses[^1], pair.Second.Losses[0], 6));
        Assert.All(seen.Walks, w => Assert.True(w.Height >= 0 && w.FloorPosition is >= 0 and <= 1));
    }

    [Fact]
    public void The_walk_does_not_change_training()
    {
        var (_, plain) = Run("walk-every-steps = 0");
        var (_, walked) = Run("walk-every-steps = 4");

        Assert.Equal(12, walked.Walks.Count);
        Assert.Equal(plain.Epochs.Select(e => e with { Seconds = 0 }), walked.Epochs.Select(e => e with { Seconds = 0 }));
    }

    [Fact]
    public void No_flatness_listed_means_none_measured()
    {
        var (_, seen) = Run("flatness = []");

        Assert.Empty(seen.Flatness);
    }
}
