namespace SweepGrid.Core.Sweeps;

/// <summary>What a sweep file's keys may hold: the names each choice accepts, and the bounds of numbers.</summary>
public static partial class SweepFile
{
    /// <summary>The names each choice accepts.</summary>
    public static readonly string[] Regularizers = ["weight-decay", "gradient-norm", "relative-flatness", "sam"];
    public static readonly string[] Datasets = ["fashion-mnist", "mnist", "cifar10", "synthetic"];
    public static readonly string[] Models = ["mlp", "convnet", "resnet"];
    public static readonly string[] Norms = ["none", "batch"];
    public static readonly int[] ResNetDepths = [20, 32, 44, 56, 110];
    public static readonly string[] FlatnessMetrics = ["sharpness", "sharpness-subspace", "hessian-top", "hessian-trace", "relative-flatness", "noise-scale"];
    public static readonly string[] Optimizers = ["sgd", "adam"];
    public static readonly string[] Schedules = ["constant", "step", "cosine"];
    public static readonly string[] LrScalings = ["none", "linear", "sqrt"];

    /// <summary>
    /// Upper bounds of numeric keys: past them a value is certainly a mistake (a typo's extra zeros), and
    /// would otherwise run a worker out of memory or for years. Each is stated in reference.hocon.
    /// </summary>
    public static class Bounds
    {
        /// <summary>Batch sizes, ghost batch sizes, probe and chunk sizes, subsets: samples of one dataset.</summary>
        public const int Samples = 100_000_000;

        public const int SyntheticSamples = 10_000_000;

        /// <summary>A generated dataset's values (train-size × features), 4 bytes each: 8 GB.</summary>
        public const long SyntheticValues = 2_000_000_000;

        public const int Features = 1_000_000, Classes = 100_000;

        /// <summary>Units of one hidden layer, and hidden layers.</summary>
        public const int Width = 65_536, Layers = 64;

        public const int Epochs = 100_000;

        /// <summary>
        /// Learning rates, regularizer strengths, weight decay: far above any that trains, since a rate that
        /// diverges on purpose is an experiment too; the bound only keeps the arithmetic finite.
        /// </summary>
        public const double Coefficient = 1e9;

        public const double ClipNorm = 1e9;

        /// <summary>Ascent steps and subspace dimensions of ε-sharpness.</summary>
        public const int Iterations = 100_000;

        /// <summary>
        /// Lanczos steps (each keeps a copy of the parameters for reorthogonalisation: 1,000 of a
        /// 1M-parameter network are 4 GB) and start vectors.
        /// </summary>
        public const int LanczosSteps = 1_000;

        /// <summary>Nodes of one Hessian spectrum (lanczos-steps × vectors): one report, a few megabytes at most.</summary>
        public const int SpectrumNodes = 50_000;

        /// <summary>Values of α along an interpolation (walk-points; `interpolate --points`).</summary>
        public const int Points = 1_000;

        /// <summary>Epoch lists (drop-epochs, flatness-epochs).</summary>
        public const int ListLength = 10_000;
    }
}
