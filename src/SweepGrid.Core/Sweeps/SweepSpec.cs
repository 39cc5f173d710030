namespace SweepGrid.Core.Sweeps;

/// <summary>A validated sweep file: the reference regime, the grid, and the rules that derive each trial.</summary>
public sealed record SweepSpec(
    string Name,
    DatasetSpec Dataset,
    ModelSpec Model,
    OptimizerSpec Optimizer,
    BaseRegime Base,
    GridAxes Grid,
    string Regularizer,
    RulesSpec Rules,
    MetricsSpec Metrics);

/// <summary>Where the data comes from. <see cref="Path"/> is resolved against the working directory.</summary>
public sealed record DatasetSpec(string Name, string Path, int TrainSubset, SyntheticSpec Synthetic);

/// <summary>Shape of the generated dataset used by tests and smoke runs (dataset name "synthetic").</summary>
public sealed record SyntheticSpec(int TrainSize, int TestSize, int Features, int Classes);

public sealed record ModelSpec(string Name, IReadOnlyList<int> Hidden, string Norm);

public sealed record OptimizerSpec(string Name, double Momentum, bool Nesterov);

/// <summary>The small-batch reference regime that learning-rate scaling and regime adaptation start from.</summary>
public sealed record BaseRegime(int BatchSize, double LearningRate, int Epochs);

/// <summary>The axes whose cartesian product is the sweep. Each list is non-empty.</summary>
public sealed record GridAxes(
    IReadOnlyList<int> BatchSize,
    IReadOnlyList<double> LearningRate,
    IReadOnlyList<int> GhostBatchSize,
    IReadOnlyList<double> RegularizerStrength,
    IReadOnlyList<int> Seed);

public sealed record RulesSpec(LrScaling LrScaling, bool RegimeAdaptation);

public sealed record MetricsSpec(int EverySteps);

/// <summary>How the learning rate follows the batch size (Hoffer et al. 2017 use sqrt; Goyal et al. 2017 linear).</summary>
public enum LrScaling
{
    None,
    Linear,
    Sqrt,
}
