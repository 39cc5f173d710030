namespace SweepGrid.Core.Results;

/// <summary>
/// The state of a trial at the end of one epoch: losses and accuracies on the full train and test
/// sets (batch norm in eval mode) and ‖w_t − w_0‖ over all weights. <see cref="Step"/> counts weight updates.
/// The gaps derived from the stored epochs are computed once, on the store's rows (TrialRow).
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
    double Seconds);
