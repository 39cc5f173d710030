namespace SweepGrid.Core.Results;

/// <summary>
/// The state of a trial at the end of one epoch: losses and accuracies on the full train and test
/// sets (batch norm in eval mode) and ‖w_t − w_0‖ over all weights. <see cref="Step"/> counts weight updates.
/// </summary>
public sealed record EpochRecord(
    int Epoch,
    long Step,
    double LearningRate,
    double TrainLoss,
    double TrainAccuracy,
    double TestLoss,
    double TestAccuracy,
    double WeightDistance,
    double Seconds)
{
    /// <summary>Generalization gap in accuracy: train − test (Hoffer et al. 2017 report this one).</summary>
    public double AccuracyGap => TrainAccuracy - TestAccuracy;

    /// <summary>Generalization gap in loss: test − train.</summary>
    public double LossGap => TestLoss - TrainLoss;
}
