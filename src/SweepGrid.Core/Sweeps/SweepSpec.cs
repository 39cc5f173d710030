namespace SweepGrid.Core.Sweeps;

/// <summary>A validated sweep file: the reference regime, the grids, and the rules that derive each trial.</summary>
public sealed record SweepSpec(
    string Name,
    DatasetSpec Dataset,
    ModelSpec Model,
    OptimizerSpec Optimizer,
    ScheduleSpec Schedule,
    BaseRegime Base,
    IReadOnlyList<GridAxes> Grids,
    string Regularizer,
    RulesSpec Rules,
    TrainingSpec Training,
    MetricsSpec Metrics,
    CheckpointSpec? Checkpoint = null,
    int? Priority = null)
{
    /// <summary>sweep.priority: a sweep's weight when open sweeps share a cluster's slots (<see cref="Scheduling.FairShare"/>).</summary>
    public const int DefaultPriority = 1, MinPriority = 1, MaxPriority = 1000;

    /// <summary>The sweep's checkpoint settings, or the defaults for a spec built without them.</summary>
    public CheckpointSpec CheckpointOrDefault => Checkpoint ?? CheckpointSpec.Default;

    /// <summary>Its priority, or the default for a spec built without one (a sweep journaled before priorities existed).</summary>
    public int PriorityOrDefault => Priority ?? DefaultPriority;
}

/// <summary>
/// How often a running trial saves model, optimizer, RNG and step so that a re-assigned trial resumes
/// instead of starting over; 0 = never. Not part of a trial's identity: it changes no number.
/// </summary>
public sealed record CheckpointSpec(int EveryEpochs)
{
    public static readonly CheckpointSpec Default = new(EveryEpochs: 1);
}

/// <summary>Where the data comes from. <see cref="Path"/> is resolved against the working directory.</summary>
public sealed record DatasetSpec(string Name, string Path, int TrainSubset, SyntheticSpec Synthetic);

/// <summary>Shape of the generated dataset used by tests and smoke runs (dataset name "synthetic").</summary>
public sealed record SyntheticSpec(int TrainSize, int TestSize, int Features, int Classes);

/// <summary>
/// The network: mlp (<see cref="Hidden"/> widths), convnet (C1-like, <see cref="Dropout"/> on its
/// fully connected layers) or resnet (CIFAR ResNet of <see cref="Depth"/> 20, 32, 44, 56 or 110).
/// </summary>
public sealed record ModelSpec(string Name, IReadOnlyList<int> Hidden, string Norm, int Depth, double Dropout);

/// <summary>
/// The optimizer. <see cref="WeightDecay"/> is a fixed L2 term for every trial (Hoffer et al. use 1e-4
/// for F1); the regularizer axis adds its own strength on top. <see cref="ClipNorm"/> 0 means no clipping.
/// </summary>
public sealed record OptimizerSpec(
    string Name, double Momentum, bool Nesterov, double Beta1, double Beta2, double Epsilon, double WeightDecay, double ClipNorm);

/// <summary>
/// Learning-rate schedule of the base regime: constant, step (×<see cref="DropFactor"/> at each of
/// <see cref="DropEpochs"/>) or cosine (to 0 over the run), after <see cref="WarmupEpochs"/> of linear warm-up.
/// Regime adaptation stretches the drop epochs and the warm-up with the epochs.
/// </summary>
public sealed record ScheduleSpec(string Name, IReadOnlyList<int> DropEpochs, double DropFactor, int WarmupEpochs);

/// <summary>The small-batch reference regime that learning-rate scaling and regime adaptation start from.</summary>
public sealed record BaseRegime(int BatchSize, double LearningRate, int Epochs);

/// <summary>
/// One grid: the axes whose cartesian product it contributes. A sweep's trials are the union of its
/// grids. <see cref="Path"/> is where it stands in the file, for error messages.
/// </summary>
public sealed record GridAxes(
    string Path,
    IReadOnlyList<int> BatchSize,
    IReadOnlyList<double> LearningRate,
    IReadOnlyList<int> GhostBatchSize,
    IReadOnlyList<double> RegularizerStrength,
    IReadOnlyList<int> Seed,
    IReadOnlyList<LrScaling> LrScaling,
    IReadOnlyList<bool> RegimeAdaptation)
{
    /// <summary>The batch-size value that stands for <c>full</c>: the whole training set, one step per epoch.</summary>
    public const int FullBatch = 0;
}

/// <summary>The default of the rule axes when a grid does not list them.</summary>
public sealed record RulesSpec(LrScaling LrScaling, bool RegimeAdaptation);

/// <param name="MaxLoss">A mini-batch loss above this (or any NaN/Inf loss) ends a trial as diverged.</param>
/// <param name="ChunkSize">Full-batch steps accumulate the gradient over chunks of this many samples.</param>
/// <param name="MicroBatch">Every other step accumulates its gradient over micro-batches of this many samples; 0: none.</param>
public sealed record TrainingSpec(double MaxLoss, int ChunkSize, int MicroBatch = 0);

/// <summary>
/// What is measured besides losses and accuracies. Every <see cref="EverySteps"/> updates (and at each
/// epoch end) a trajectory point; at the end of the trial (and after each of <see cref="FlatnessEpochs"/>)
/// the <see cref="Flatness"/> metrics, on a fixed probe of the first <see cref="ProbeSize"/> training samples.
/// <see cref="PathLength"/> sums every step's length (a copy of the weights per step, about 10% of a
/// batch-128 MLP step here); without it only the sampled steps' lengths are measured.
/// </summary>
/// <see cref="WalkEverySteps"/> &gt; 0 evaluates the loss between consecutive iterates at every such
/// step, on <see cref="WalkPoints"/> values of α (Xing et al. 2018).
public sealed record MetricsSpec(
    int EverySteps, IReadOnlyList<string> Flatness, IReadOnlyList<int> FlatnessEpochs, int ProbeSize, SharpnessSpec Sharpness,
    bool PathLength, int WalkEverySteps = 0, int WalkPoints = 11, HessianSpec? Hessian = null, NoiseScaleSpec? NoiseScale = null,
    int EvalEverySteps = 0, TargetSpec? Targets = null)
{
    /// <summary>The Hessian settings; a sweep journaled before they existed measured by power iteration and Hutchinson.</summary>
    public HessianSpec HessianOrDefault => Hessian ?? HessianSpec.Power;

    public NoiseScaleSpec NoiseScaleOrDefault => NoiseScale ?? NoiseScaleSpec.Default;

    /// <summary>The targets of steps to target; a sweep journaled before they existed has none.</summary>
    public TargetSpec TargetsOrNone => Targets ?? TargetSpec.None;
}

/// <summary>
/// Steps to target (Shallue et al. 2018): for each of <paramref name="Values"/>, the first update at which a trial's
/// <paramref name="Metric"/> reached it. "test-accuracy" reaches a target from below and is read from every
/// evaluation (each epoch's end and every metrics.eval-every-steps); "train-loss", the loss on the full
/// training set, from above, at epoch ends only.
/// </summary>
public sealed record TargetSpec(string Metric, IReadOnlyList<double> Values)
{
    public const string TestAccuracy = "test-accuracy";
    public const string TrainLoss = "train-loss";
    public static readonly string[] Metrics = [TestAccuracy, TrainLoss];

    /// <summary>At most this many targets, each a column of the summary.</summary>
    public const int MaxCount = 10;

    public static readonly TargetSpec None = new(TestAccuracy, []);

    /// <summary>Whether a larger value is better: accuracy climbs to its target, a loss falls to it.</summary>
    public bool HigherIsBetter => Metric == TestAccuracy;
}

/// <summary>
/// The gradient noise scale's batches (McCandlish et al. 2018, Appendix A): <paramref name="Pairs"/> pairs of
/// batches of <paramref name="SmallBatch"/> and <paramref name="LargeBatch"/> training samples, drawn with replacement.
/// </summary>
public sealed record NoiseScaleSpec(int SmallBatch, int LargeBatch, int Pairs)
{
    public static readonly NoiseScaleSpec Default = new(32, 512, 20);
}

/// <summary>
/// How hessian-top and hessian-trace are measured: "lanczos" (stochastic Lanczos quadrature: <paramref name="Vectors"/>
/// runs of <paramref name="LanczosSteps"/> Hessian-vector products give the top eigenvalue and the spectral density;
/// their start vectors and more, <paramref name="TraceVectors"/> in all, sample the trace) or "power" (power
/// iteration and Hutchinson's estimator, each on its own products).
/// </summary>
public sealed record HessianSpec(string Method, int LanczosSteps, int Vectors, int TraceVectors)
{
    public static readonly string[] Methods = ["lanczos", "power"];

    public static readonly HessianSpec Power = new("power", 0, 0, 0);
}

/// <summary>ε-sharpness settings (Keskar et al. 2017): box radius, ascent steps, random subspace dimension.</summary>
public sealed record SharpnessSpec(double Epsilon, int Steps, int SubspaceDimension);

/// <summary>How the learning rate follows the batch size (Hoffer et al. 2017 use sqrt; Goyal et al. 2017 linear).</summary>
public enum LrScaling
{
    None,
    Linear,
    Sqrt,
}
