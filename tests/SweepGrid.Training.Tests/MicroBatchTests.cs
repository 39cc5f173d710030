using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

/// <summary>
/// training.micro-batch: with ghost batch norm whose ghost size divides the micro-batch, a step taken
/// in micro-batches is the large-batch step (to float tolerance: only the order of the sums differs),
/// running statistics included; with plain batch norm it is not, as reference.hocon says.
/// </summary>
public sealed class MicroBatchTests
{
    /// <summary>Two epochs of the trial; the record evaluates weights and, in eval mode, the running statistics.</summary>
    private static Core.Results.EpochRecord TrainTwoEpochs(TrialSpec trial)
    {
        using var session = new TrainingSession(trial, Datasets.Load(trial.Dataset), CPU, TrainerOptions.Default);
        long steps = session.TrainEpoch(CancellationToken.None).Steps + session.TrainEpoch(CancellationToken.None).Steps;
        return session.Evaluate(2, steps, 0);
    }

    private static void AssertClose(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: {expected:R} against {actual:R}");

    [Fact]
    public void With_ghost_batch_norm_micro_batches_give_the_large_batch_step()
    {
        var whole = SyntheticSweeps.Trial("grid { ghost-batch-size = [8] }", epochs: 2);
        var micro = SyntheticSweeps.Trial("grid { ghost-batch-size = [8] }, training { micro-batch = 16 }", epochs: 2);
        Assert.Equal((0, 16), (whole.ChunkSize, micro.ChunkSize));
        Assert.NotEqual(whole.TrialId, micro.TrialId);

        var expected = TrainTwoEpochs(whole);
        var actual = TrainTwoEpochs(micro);

        AssertClose(expected.TrainLoss, actual.TrainLoss, 1e-5, "train loss");
        AssertClose(expected.TestLoss, actual.TestLoss, 1e-5, "test loss");
        AssertClose(expected.WeightDistance, actual.WeightDistance, 1e-5, "‖w − w0‖");
        Assert.Equal(expected.TrainAccuracy, actual.TrainAccuracy, 3);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy, 3);
    }

    [Fact]
    public void With_plain_batch_norm_micro_batches_change_the_statistics_and_so_the_step()
    {
        var whole = SyntheticSweeps.Trial(epochs: 2);
        var micro = SyntheticSweeps.Trial("training { micro-batch = 8 }", epochs: 2);

        var expected = TrainTwoEpochs(whole);
        var actual = TrainTwoEpochs(micro);

        Assert.True(Math.Abs(expected.TrainLoss - actual.TrainLoss) > 1e-4 * expected.TrainLoss,
            $"train loss {expected.TrainLoss:R} and {actual.TrainLoss:R}: batch norm over 8 samples should differ from over 32");
    }
}
