using SweepGrid.Core.Results;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Tests;

public sealed class TrainerTests
{
    private static (TrialOutcome Outcome, List<EpochRecord> Epochs) Train(string overrides = "", int epochs = 3)
    {
        var trial = SyntheticSweeps.Trial(overrides, epochs);
        var recorder = new EpochCollector();
        var outcome = Trainer.Run(trial, Datasets.Load(trial.Dataset), recorder, CancellationToken.None);
        return (outcome, recorder.Epochs);
    }

    [Fact]
    public void Training_lowers_the_loss_and_moves_the_weights()
    {
        var (outcome, epochs) = Train(epochs: 4);

        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.Equal(4, epochs.Count);
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss, $"loss {epochs[0].TrainLoss} → {epochs[^1].TrainLoss}");
        Assert.True(epochs[^1].TestAccuracy > 0.5, $"test accuracy {epochs[^1].TestAccuracy} on 4 separable classes");
        Assert.True(epochs[^1].WeightDistance > epochs[0].WeightDistance);
        // 512 samples at batch 32: 16 updates per epoch, none dropped.
        Assert.Equal([16L, 32, 48, 64], epochs.Select(e => e.Step));
    }

    [Fact]
    public void Same_trial_twice_gives_identical_metrics()
    {
        var first = Train("grid { seed = [7] }").Epochs;
        var second = Train("grid { seed = [7] }").Epochs;

        Assert.Equal(first.Select(e => e with { Seconds = 0 }), second.Select(e => e with { Seconds = 0 }));
    }

    [Fact]
    public void Different_seeds_give_different_runs()
    {
        var a = Train("grid { seed = [1] }").Epochs;
        var b = Train("grid { seed = [2] }").Epochs;

        Assert.NotEqual(a[^1].TrainLoss, b[^1].TrainLoss);
    }

    [Fact]
    public void A_huge_learning_rate_ends_the_trial_as_diverged_instead_of_throwing()
    {
        var (outcome, _) = Train("grid { learning-rate = [100000] }\n model { norm = none }");

        Assert.Equal(TrialStatus.Diverged, outcome.Status);
        Assert.Contains("loss", outcome.Reason);
    }

    [Fact]
    public void The_divergence_bound_comes_from_the_sweep_file()
    {
        var (outcome, epochs) = Train("training { max-loss = 0.5 }");

        Assert.Equal(TrialStatus.Diverged, outcome.Status);
        Assert.Contains("bound 0.5", outcome.Reason);
        Assert.True(epochs.Count < 3);
    }

    [Fact]
    public void A_step_schedule_lowers_the_learning_rate_at_its_drop_epochs()
    {
        var (_, epochs) = Train("schedule { name = step, drop-epochs = [1, 2], drop-factor = 0.5 }");

        // The rate recorded for an epoch is the one its steps used: drops after epochs 1 and 2.
        Assert.Equal([0.05, 0.025, 0.0125], epochs.Select(e => Math.Round(e.LearningRate, 6)));
    }

    [Fact]
    public void Adam_trains()
    {
        var (outcome, epochs) = Train("optimizer { name = adam }\n grid { learning-rate = [0.001] }");

        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss);
        Assert.NotEqual(Train().Epochs[^1].TrainLoss, epochs[^1].TrainLoss);
    }

    [Fact]
    public void Clipping_the_gradient_norm_limits_how_far_the_weights_move()
    {
        var free = Train().Epochs[0].WeightDistance;
        var clipped = Train("optimizer { clip-norm = 0.001 }").Epochs[0].WeightDistance;

        // 16 steps of at most lr·0.001 each (plus momentum): far less than an unclipped epoch.
        Assert.True(clipped < free / 10, $"clipped {clipped} vs free {free}");
    }

    [Fact]
    public void Cancellation_stops_the_run()
    {
        var trial = SyntheticSweeps.Trial(epochs: 50);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Run(trial, Datasets.Load(trial.Dataset), new EpochCollector(), cts.Token));
    }
}
