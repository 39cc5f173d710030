namespace SweepGrid.Core.Sweeps;

/// <summary>
/// The value of every key a sweep file may leave out. hocon/sweeps/reference.hocon documents each one;
/// a test parses that file and checks it agrees with this class.
/// </summary>
public static class SweepDefaults
{
    public static readonly SweepSpec Spec = new(
        Name: "",
        Dataset: new DatasetSpec("fashion-mnist", "", TrainSubset: 0, new SyntheticSpec(2048, 512, 64, 10)),
        Model: new ModelSpec("mlp", [512, 512], "batch", Depth: 20, Dropout: 0.5),
        Optimizer: new OptimizerSpec("sgd", Momentum: 0.9, Nesterov: false, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8,
            WeightDecay: 0, ClipNorm: 0),
        Schedule: new ScheduleSpec("constant", [], DropFactor: 0.1, WarmupEpochs: 0),
        Base: new BaseRegime(BatchSize: 128, LearningRate: 0.05, Epochs: 10),
        Grids: [new GridAxes("sweep.grid", [128], [0.05], [0], [0.0], [1], [LrScaling.None], [false])],
        Regularizer: "weight-decay",
        Rules: new RulesSpec(LrScaling.None, RegimeAdaptation: false),
        Training: new TrainingSpec(MaxLoss: 1e3, ChunkSize: 4096),
        Metrics: new MetricsSpec(
            EverySteps: 50,
            Flatness: ["sharpness", "hessian-top", "hessian-trace", "relative-flatness"],
            FlatnessEpochs: [],
            ProbeSize: 1024,
            Sharpness: new SharpnessSpec(Epsilon: 1e-3, Steps: 10, SubspaceDimension: 100),
            PathLength: false,
            Hessian: new HessianSpec("lanczos", LanczosSteps: 10, Vectors: 1, TraceVectors: 20),
            NoiseScale: NoiseScaleSpec.Default,
            EvalEverySteps: 0,
            Targets: TargetSpec.None),
        Checkpoint: CheckpointSpec.Default,
        Priority: SweepSpec.DefaultPriority);
}
