namespace SweepGrid.Store;

/// <summary>
/// A trial as stored (table trials): its parameters as run, its status and attempts, and its final
/// numbers once it has an outcome. The values derived from it are computed here and nowhere else, so
/// that the summary, the export, the report and every other view show the same numbers.
/// </summary>
public sealed record TrialRow(
    string Trial, long Ordinal, string Status, long Attempts, string? Reason, string? Slot,
    long BatchSize, double GridLearningRate, double LearningRate, string LrScaling, bool RegimeAdaptation,
    long GhostBatchSize, string Regularizer, double RegularizerStrength, long Seed, long Epochs,
    string Model, string Optimizer, string Schedule,
    long? Steps, double? TrainLoss, double? TrainAccuracy, double? TestLoss, double? TestAccuracy, double? WeightDistance, double? Seconds,
    double? LogFitA, double? LogFitB, double? LogFitR2, long? ResumedFromEpoch)
{
    /// <summary>Finished: completed or diverged with a final evaluation (a trial without one has no numbers to average).</summary>
    public bool Finished => TestAccuracy is not null;

    /// <summary>The generalization gap as Hoffer et al. (2017) report it: train − test accuracy.</summary>
    public double? Gap => TrainAccuracy - TestAccuracy;

    /// <summary>The gap in loss: test − train.</summary>
    public double? LossGap => TestLoss - TrainLoss;

    /// <summary>η/B (Jastrzębski et al. 2017), a natural x-axis for width-of-minimum plots.</summary>
    public double LrOverBatch => LearningRate / BatchSize;
}

/// <summary>One epoch's evaluation of a trial (table epochs): full train and test sets, batch norm in eval mode.</summary>
public sealed record EpochRow(
    string Trial, long Epoch, long Step, double LearningRate, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy,
    double WeightDistance, double Seconds);

/// <summary>A trajectory point (table points): every metrics.every-steps updates; the test evaluation every metrics.eval-every-steps.</summary>
public sealed record PointRow(
    string Trial, long Step, long Epoch, double LearningRate, double? BatchLoss, double? GradientNorm, double WeightDistance,
    double? StepLength, double? PathLength, double? TestLoss, double? TestAccuracy);

/// <summary>‖w_t − w₀‖ of one parameter tensor at a trajectory point (table layer_distances).</summary>
public sealed record LayerRow(string Trial, long Step, string Layer, double WeightDistance);

/// <summary>One flatness measurement (table flatness); no value where it could not be computed.</summary>
public sealed record FlatnessRow(string Trial, long Epoch, string Metric, double? Value, double? StandardError, double Seconds, long Iterations);

/// <summary>One Lanczos node of a trial's Hessian spectrum (table spectrum).</summary>
public sealed record SpectrumRow(string Trial, long Epoch, long Run, long Node, double Eigenvalue, double Weight);

/// <summary>The floor of the loss between two consecutive iterates (table walks).</summary>
public sealed record WalkRow(string Trial, long Step, double Floor, double FloorPosition, double Height);

/// <summary>The loss at one α between two consecutive iterates (table walk_curves).</summary>
public sealed record WalkCurveRow(string Trial, long Step, double Alpha, double Loss);

/// <summary>Losses and accuracies at one α between two trials' final weights (table interpolations); none where they overflowed.</summary>
public sealed record InterpolationRow(string TrialA, string TrialB, double Alpha, double? TrainLoss, double? TrainAccuracy, double? TestLoss, double? TestAccuracy);

/// <summary>
/// Typed rows from the raw ones <see cref="ResultsReader.Rows"/> returns. A store is read, not trusted: a
/// value of the wrong type, or missing where the schema says NOT NULL, is an error naming the table and
/// column, not a cast exception deep in a report.
/// </summary>
internal static class StoredRows
{
    public static TrialRow Trial(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("trials", r);
        return new TrialRow(
            c.Text("trial"), c.Long("ordinal"), c.Text("status"), c.Long("attempts"), c.OptText("reason"), c.OptText("slot"),
            c.Long("batch_size"), c.Double("grid_learning_rate"), c.Double("learning_rate"), c.Text("lr_scaling"), c.Long("regime_adaptation") != 0,
            c.Long("ghost_batch_size"), c.Text("regularizer"), c.Double("regularizer_strength"), c.Long("seed"), c.Long("epochs"),
            c.Text("model"), c.Text("optimizer"), c.Text("schedule"),
            c.OptLong("steps"), c.OptDouble("train_loss"), c.OptDouble("train_acc"), c.OptDouble("test_loss"), c.OptDouble("test_acc"),
            c.OptDouble("weight_distance"), c.OptDouble("seconds"),
            c.OptDouble("log_fit_a"), c.OptDouble("log_fit_b"), c.OptDouble("log_fit_r2"), c.OptLong("resumed_from_epoch"));
    }

    public static EpochRow Epoch(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("epochs", r);
        return new EpochRow(c.Text("trial"), c.Long("epoch"), c.Long("step"), c.Double("learning_rate"), c.Double("train_loss"), c.Double("train_acc"),
            c.Double("test_loss"), c.Double("test_acc"), c.Double("weight_distance"), c.Double("seconds"));
    }

    public static PointRow Point(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("points", r);
        return new PointRow(c.Text("trial"), c.Long("step"), c.Long("epoch"), c.Double("learning_rate"), c.OptDouble("batch_loss"), c.OptDouble("grad_norm"),
            c.Double("weight_distance"), c.OptDouble("step_length"), c.OptDouble("path_length"), c.OptDouble("test_loss"), c.OptDouble("test_acc"));
    }

    public static LayerRow Layer(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("layer_distances", r);
        return new LayerRow(c.Text("trial"), c.Long("step"), c.Text("layer"), c.Double("weight_distance"));
    }

    public static FlatnessRow Flatness(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("flatness", r);
        return new FlatnessRow(c.Text("trial"), c.Long("epoch"), c.Text("metric"), c.OptDouble("value"), c.OptDouble("standard_error"),
            c.Double("seconds"), c.Long("iterations"));
    }

    public static SpectrumRow Spectrum(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("spectrum", r);
        return new SpectrumRow(c.Text("trial"), c.Long("epoch"), c.Long("run"), c.Long("node"), c.Double("eigenvalue"), c.Double("weight"));
    }

    public static WalkRow Walk(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("walks", r);
        return new WalkRow(c.Text("trial"), c.Long("step"), c.Double("floor"), c.Double("floor_position"), c.Double("height"));
    }

    public static WalkCurveRow WalkCurve(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("walk_curves", r);
        return new WalkCurveRow(c.Text("trial"), c.Long("step"), c.Double("alpha"), c.Double("loss"));
    }

    public static InterpolationRow Interpolation(IReadOnlyDictionary<string, object?> r)
    {
        var c = new Cells("interpolations", r);
        return new InterpolationRow(c.Text("trial_a"), c.Text("trial_b"), c.Double("alpha"),
            c.OptDouble("train_loss"), c.OptDouble("train_acc"), c.OptDouble("test_loss"), c.OptDouble("test_acc"));
    }

    /// <summary>One raw row's cells, each read as the type the schema gives it.</summary>
    private readonly struct Cells(string table, IReadOnlyDictionary<string, object?> row)
    {
        public string Text(string column) => OptText(column) ?? throw Missing(column);

        public string? OptText(string column) => Get(column) switch
        {
            null => null,
            string s => s,
            var other => throw Wrong(column, other, "text"),
        };

        public long Long(string column) => OptLong(column) ?? throw Missing(column);

        public long? OptLong(string column) => Get(column) switch
        {
            null => null,
            long l => l,
            int i => i,
            var other => throw Wrong(column, other, "an integer"),
        };

        public double Double(string column) => OptDouble(column) ?? throw Missing(column);

        public double? OptDouble(string column) => Get(column) switch
        {
            null => null,
            double d => d,
            float f => f,
            long l => l,
            var other => throw Wrong(column, other, "a number"),
        };

        private object? Get(string column) =>
            row.TryGetValue(column, out var value) ? value : throw new InvalidDataException($"results table {table} has no column {column}");

        private InvalidDataException Missing(string column) => new($"results table {table}: {column} is empty in a row that must have it");

        private InvalidDataException Wrong(string column, object value, string expected) =>
            new($"results table {table}: {column} holds a {value.GetType().Name}, expected {expected}");
    }
}
