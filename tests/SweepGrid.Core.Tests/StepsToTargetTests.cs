using SweepGrid.Core.Results;

namespace SweepGrid.Core.Tests;

/// <summary>Steps to target on constructed trajectories, where the crossing can be worked out by hand.</summary>
public sealed class StepsToTargetTests
{
    // A trial of 100 updates per epoch: epoch ends at 100, 200, 300; test evaluations every 50 updates.
    private static readonly (long Step, long Epoch, double Value)[] EpochEnds = [(100, 1, 0.70), (200, 2, 0.84), (300, 3, 0.90)];
    private static readonly (long Step, double Value)[] MidEpoch = [(50, 0.60), (100, 0.70), (150, 0.80), (200, 0.84), (250, 0.86)];

    [Fact]
    public void The_crossing_is_interpolated_between_the_evaluations_around_it()
    {
        var evaluations = StepsToTarget.Merge(EpochEnds, MidEpoch);

        var reached = StepsToTarget.Find(evaluations, 0.85, higherIsBetter: true);

        // 0.84 at step 200, 0.86 at 250: 0.85 halfway, at step 225, epoch 2.25.
        Assert.NotNull(reached);
        Assert.Equal(225, reached.Step, 9);
        Assert.Equal(2.25, reached.Epoch, 9);
        Assert.False(reached.Bounded);
    }

    [Fact]
    public void Evaluations_are_merged_in_step_order_with_their_epoch_positions_and_each_step_once()
    {
        var evaluations = StepsToTarget.Merge(EpochEnds, MidEpoch);

        Assert.Equal([50L, 100, 150, 200, 250, 300], evaluations.Select(e => e.Step));
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3], evaluations.Select(e => e.Epoch));
        Assert.Equal([0.60, 0.70, 0.80, 0.84, 0.86, 0.90], evaluations.Select(e => e.Value));
    }

    [Fact]
    public void Epoch_ends_alone_give_a_coarser_but_consistent_answer()
    {
        var reached = StepsToTarget.Find(StepsToTarget.Merge(EpochEnds, []), 0.85, higherIsBetter: true);

        // 0.84 at 200, 0.90 at 300: a sixth of the way, step 216.67.
        Assert.NotNull(reached);
        Assert.Equal(200 + 100.0 / 6, reached.Step, 9);
        Assert.Equal(2 + 1.0 / 6, reached.Epoch, 9);
    }

    [Fact]
    public void A_target_met_at_the_first_evaluation_is_an_upper_bound_there()
    {
        var reached = StepsToTarget.Find(StepsToTarget.Merge(EpochEnds, MidEpoch), 0.5, higherIsBetter: true);

        Assert.NotNull(reached);
        Assert.Equal(50, reached.Step);
        Assert.Equal(0.5, reached.Epoch);
        Assert.True(reached.Bounded);
    }

    [Fact]
    public void A_target_never_met_is_not_reached()
    {
        Assert.Null(StepsToTarget.Find(StepsToTarget.Merge(EpochEnds, MidEpoch), 0.95, higherIsBetter: true));
        Assert.Null(StepsToTarget.Find([], 0.5, higherIsBetter: true));
    }

    [Fact]
    public void A_loss_reaches_its_target_from_above()
    {
        var losses = StepsToTarget.Merge([(100, 1, 0.9), (200, 2, 0.5), (300, 3, 0.3)], []);

        var reached = StepsToTarget.Find(losses, 0.4, higherIsBetter: false);

        // 0.5 at 200, 0.3 at 300: 0.4 halfway.
        Assert.NotNull(reached);
        Assert.Equal(250, reached.Step, 9);
        Assert.Null(StepsToTarget.Find(losses, 0.2, higherIsBetter: false));
    }

    [Fact]
    public void The_first_crossing_counts_even_if_the_metric_falls_back_later()
    {
        var evaluations = StepsToTarget.Merge([(100, 1, 0.86), (200, 2, 0.80), (300, 3, 0.90)], [(50, 0.80)]);

        var reached = StepsToTarget.Find(evaluations, 0.85, higherIsBetter: true);

        // 0.80 at 50, 0.86 at 100: five sixths of the way.
        Assert.NotNull(reached);
        Assert.Equal(50 + 50 * 5.0 / 6, reached.Step, 9);
    }

    [Fact]
    public void A_non_finite_evaluation_is_skipped_and_interpolation_starts_from_the_last_finite_one()
    {
        var evaluations = new[] { new Evaluation(100, 1, 0.8), new Evaluation(200, 2, double.NaN), new Evaluation(300, 3, 0.9) };

        var reached = StepsToTarget.Find(evaluations, 0.85, higherIsBetter: true);

        Assert.NotNull(reached);
        // The NaN at 200 says nothing: 0.8 at 100, 0.9 at 300, so 0.85 halfway.
        Assert.Equal(200, reached.Step, 9);
        Assert.Equal(2, reached.Epoch, 9);
    }
}
