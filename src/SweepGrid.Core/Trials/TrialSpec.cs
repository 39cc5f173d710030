using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>
/// One cell of the grid with every parameter resolved: what a training slot needs to run it, with no
/// further reference to the sweep file. <see cref="LearningRate"/>, <see cref="Epochs"/> and
/// <see cref="Schedule"/> are the derived values; <see cref="GridLearningRate"/> is the grid's value
/// before LR scaling. A full-batch trial has <see cref="BatchSize"/> = the training-set size and
/// accumulates each step's gradient over chunks of <see cref="ChunkSize"/> (training.chunk-size);
/// any other trial does so over micro-batches of it (training.micro-batch), or not at all when it is 0.
/// </summary>
public sealed record TrialSpec(
    string TrialId,
    string SweepName,
    DatasetSpec Dataset,
    ModelSpec Model,
    OptimizerSpec Optimizer,
    int BatchSize,
    double GridLearningRate,
    double LearningRate,
    int GhostBatchSize,
    string Regularizer,
    double RegularizerStrength,
    int Seed,
    int Epochs,
    ScheduleSpec Schedule,
    LrScaling LrScaling,
    bool RegimeAdaptation,
    double MaxLoss,
    int MetricsEverySteps,
    bool FullBatch = false,
    int ChunkSize = 0,
    MetricsSpec? Metrics = null,
    int CheckpointEveryEpochs = 0)
{
    /// <summary>η/B, the ratio Jastrzębski et al. (2017) find to control the width of the minimum.</summary>
    public double LearningRateOverBatchSize => LearningRate / BatchSize;

    /// <summary>The measurements to take: the sweep's, or the defaults for a trial built without them.</summary>
    public MetricsSpec MetricsOrDefault => Metrics ?? SweepDefaults.Spec.Metrics;
}
