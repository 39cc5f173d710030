using Akka.Configuration;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// Reads a sweep file (HOCON, a single top-level <c>sweep { ... }</c> object) into a validated
/// <see cref="SweepSpec"/>. Defaults are those of <see cref="SweepDefaults"/>, documented key by key
/// in hocon/sweeps/reference.hocon. Checks that need the dataset on disk live in <see cref="DatasetChecks"/>.
/// </summary>
public static partial class SweepFile
{
    /// <summary>Reads and validates a sweep file; throws <see cref="SweepValidationException"/> on bad input.</summary>
    public static SweepSpec Load(string path) => LoadWithText(path).Spec;

    /// <summary>As <see cref="Load"/>, with the text it parsed.</summary>
    public static (SweepSpec Spec, string Text) LoadWithText(string path)
    {
        if (Directory.Exists(path)) throw new SweepValidationException(path, [new ValidationError("file", "is a folder; give the sweep file in it")]);
        if (!File.Exists(path)) throw new SweepValidationException(path, [new ValidationError("file", "not found")]);

        // Read at most one byte past the limit, whatever the file claims to be: a device or a pipe
        // (/dev/zero) has no length to check beforehand.
        var buffer = new byte[MaxFileBytes + 1];
        int read = 0;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            for (int n; read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0;) read += n;
        }

        if (read > MaxFileBytes) throw new SweepValidationException(path, [TooLarge()]);
        var text = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer, 0, read).TrimStart('\uFEFF');
        return (Parse(text, path), text);
    }

    /// <summary>A sweep file is a few kilobytes; one of a megabyte is a mistake (and is not parsed).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static ValidationError TooLarge() =>
        new("file", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"is larger than a sweep file may be (at most {MaxFileBytes:N0} bytes)"));

    public static SweepSpec Parse(string text, string sourceName) => Parse(text, sourceName, read: null);

    /// <summary>
    /// The path of every key a sweep file may set (leaves only: sweep.model.hidden, not sweep.model):
    /// what the parser asks for, so that reference.hocon can be checked to document exactly these.
    /// </summary>
    public static IReadOnlySet<string> KeysRead()
    {
        var read = new HashSet<string>();
        Parse("sweep { name = keys, dataset { name = synthetic } }", "keys", read);
        return read.Where(k => !read.Any(other => other.StartsWith(k + ".", StringComparison.Ordinal))).ToHashSet();
    }

    private static SweepSpec Parse(string text, string sourceName, ISet<string>? read)
    {
        if (text.Length > MaxFileBytes) throw new SweepValidationException(sourceName, [TooLarge()]);
        if (HoconSyntaxCheck.Find(text) is { } syntaxError)
        {
            throw new SweepValidationException(sourceName, [syntaxError]);
        }

        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(HoconSyntaxCheck.Normalize(text));
        }
        catch (Exception e) when (e is FormatException or ConfigurationException)
        {
            throw new SweepValidationException(sourceName, [new ValidationError("syntax", FirstLine(e.Message))]);
        }

        var errors = new List<ValidationError>();
        var root = new HoconSection(config.Root.IsObject() ? config.Root.GetObject() : null, "", errors, read);
        if (!root.Has("sweep"))
        {
            errors.Add(new ValidationError("sweep", "missing: a sweep file holds one object sweep { ... }"));
        }

        var spec = ReadSweep(root.Section("sweep"));
        root.RejectUnknownKeys();
        errors.AddRange(CrossChecks(spec));
        if (errors.Count > 0) throw new SweepValidationException(sourceName, errors);
        return spec;
    }

    private static SweepSpec ReadSweep(HoconSection s)
    {
        var d = SweepDefaults.Spec;
        var name = s.String("name", "");
        if (name.Length == 0) s.Error("name", "missing: every sweep needs a name (letters, digits, '.', '_', '-')");
        else if (Names.SweepNameProblem(name) is { } problem) s.Error("name", $"{problem}, got \"{Names.Printable(name)}\"");

        var dataset = ReadDataset(s.Section("dataset"), d.Dataset);
        var model = ReadModel(s.Section("model"), d.Model);
        var optimizer = ReadOptimizer(s.Section("optimizer"), d.Optimizer);
        var regime = ReadBase(s.Section("base"), d.Base);
        var schedule = ReadSchedule(s.Section("schedule"), d.Schedule, regime);
        var rules = ReadRules(s.Section("rules"), d.Rules);
        var grids = s.Sections("grid").Select(g => ReadGrid(g, regime, rules)).ToList();
        var regularizer = s.String("regularizer", d.Regularizer, Regularizers);
        var training = ReadTraining(s.Section("training"), d.Training);
        var metrics = ReadMetrics(s.Section("metrics"), d.Metrics);
        var checkpoint = ReadCheckpoint(s.Section("checkpoint"), d.CheckpointOrDefault);
        var priority = s.Int("priority", SweepSpec.DefaultPriority, min: SweepSpec.MinPriority, max: SweepSpec.MaxPriority);
        s.RejectUnknownKeys();
        return new SweepSpec(name, dataset, model, optimizer, schedule, regime, grids, regularizer, rules, training, metrics, checkpoint, priority);
    }

    private static DatasetSpec ReadDataset(HoconSection s, DatasetSpec d)
    {
        var name = s.String("name", d.Name, Datasets);
        var path = s.String("path", d.Path);
        if (name != "synthetic" && path.Length == 0)
        {
            s.Error("path", $"missing: dataset {name} needs the folder that holds its data files");
        }

        var subset = s.Int("train-subset", d.TrainSubset, min: 0, max: Bounds.Samples);
        var syn = s.Section("synthetic");
        var synthetic = new SyntheticSpec(
            syn.Int("train-size", d.Synthetic.TrainSize, min: 1, max: Bounds.SyntheticSamples),
            syn.Int("test-size", d.Synthetic.TestSize, min: 1, max: Bounds.SyntheticSamples),
            syn.Int("features", d.Synthetic.Features, min: 1, max: Bounds.Features),
            syn.Int("classes", d.Synthetic.Classes, min: 2, max: Bounds.Classes));
        if ((long)synthetic.TrainSize * synthetic.Features > Bounds.SyntheticValues)
        {
            syn.Error("train-size", $"{synthetic.TrainSize} samples × {synthetic.Features} features is more than {Bounds.SyntheticValues:N0} values (4 bytes each)");
        }
        syn.RejectUnknownKeys();
        s.RejectUnknownKeys();
        return new DatasetSpec(name, path, subset, synthetic);
    }

    private static ModelSpec ReadModel(HoconSection s, ModelSpec d)
    {
        var model = new ModelSpec(
            s.String("name", d.Name, Models),
            s.IntList("hidden", d.Hidden, min: 1, max: Bounds.Width, maxCount: Bounds.Layers),
            s.String("norm", d.Norm, Norms),
            s.Int("depth", d.Depth, min: 1, max: ResNetDepths.Max()),
            s.Double("dropout", d.Dropout, min: 0, exclusiveMin: false));
        if (model.Name == "resnet" && !ResNetDepths.Contains(model.Depth))
        {
            s.Error("depth", $"a CIFAR ResNet has depth 6n + 2, one of {string.Join(", ", ResNetDepths)}; got {model.Depth}");
        }

        if (model.Dropout >= 1) s.Error("dropout", $"must be < 1, got {model.Dropout}");
        s.RejectUnknownKeys();
        return model;
    }

    private static OptimizerSpec ReadOptimizer(HoconSection s, OptimizerSpec d)
    {
        var optimizer = new OptimizerSpec(
            s.String("name", d.Name, Optimizers),
            s.Double("momentum", d.Momentum, min: 0, exclusiveMin: false),
            s.Bool("nesterov", d.Nesterov),
            s.Double("beta1", d.Beta1, min: 0, exclusiveMin: false),
            s.Double("beta2", d.Beta2, min: 0, exclusiveMin: false),
            s.Double("epsilon", d.Epsilon, min: 0, exclusiveMin: true, max: 1),
            s.Double("weight-decay", d.WeightDecay, min: 0, exclusiveMin: false, max: Bounds.Coefficient),
            s.Double("clip-norm", d.ClipNorm, min: 0, exclusiveMin: false, max: Bounds.ClipNorm));
        foreach (var (key, value) in new[] { ("momentum", optimizer.Momentum), ("beta1", optimizer.Beta1), ("beta2", optimizer.Beta2) })
        {
            if (value >= 1) s.Error(key, $"must be < 1, got {value}");
        }

        if (optimizer.Nesterov && optimizer.Momentum == 0) s.Error("nesterov", "needs momentum > 0");
        s.RejectUnknownKeys();
        return optimizer;
    }

    private static BaseRegime ReadBase(HoconSection s, BaseRegime d)
    {
        var regime = new BaseRegime(
            s.Int("batch-size", d.BatchSize, min: 1, max: Bounds.Samples),
            s.Double("learning-rate", d.LearningRate, min: 0, exclusiveMin: true, max: Bounds.Coefficient),
            s.Int("epochs", d.Epochs, min: 1, max: Bounds.Epochs));
        s.RejectUnknownKeys();
        return regime;
    }

    private static ScheduleSpec ReadSchedule(HoconSection s, ScheduleSpec d, BaseRegime regime)
    {
        var schedule = new ScheduleSpec(
            s.String("name", d.Name, Schedules),
            s.IntList("drop-epochs", d.DropEpochs, min: 1, max: Bounds.Epochs, maxCount: Bounds.ListLength),
            s.Double("drop-factor", d.DropFactor, min: 0, exclusiveMin: true),
            s.Int("warmup-epochs", d.WarmupEpochs, min: 0, max: Bounds.Epochs));
        if (schedule.DropFactor >= 1) s.Error("drop-factor", $"must be < 1, got {schedule.DropFactor}");
        if (schedule.Name != "step" && schedule.DropEpochs.Count > 0) s.Error("drop-epochs", $"only used by name = step, but name = {schedule.Name}");
        for (int i = 0; i < schedule.DropEpochs.Count; i++)
        {
            if (schedule.DropEpochs[i] > regime.Epochs) s.Error($"drop-epochs[{i}]", $"{schedule.DropEpochs[i]} is after the last epoch (sweep.base.epochs = {regime.Epochs})");
            if (i > 0 && schedule.DropEpochs[i] <= schedule.DropEpochs[i - 1]) s.Error($"drop-epochs[{i}]", "must be increasing");
        }

        if (schedule.WarmupEpochs >= regime.Epochs) s.Error("warmup-epochs", $"must be shorter than the run (sweep.base.epochs = {regime.Epochs}), got {schedule.WarmupEpochs}");
        s.RejectUnknownKeys();
        return schedule;
    }

    /// <summary>An axis left out of a grid takes the base regime's value, the rules' default, or its neutral default.</summary>
    private static GridAxes ReadGrid(HoconSection s, BaseRegime regime, RulesSpec rules)
    {
        var grid = new GridAxes(
            s.Path,
            s.BatchSizeAxis("batch-size", [regime.BatchSize], max: Bounds.Samples),
            s.DoubleAxis("learning-rate", [regime.LearningRate], min: 0, exclusiveMin: true, max: Bounds.Coefficient),
            s.IntAxis("ghost-batch-size", [0], min: 0, max: Bounds.Samples),
            s.DoubleAxis("regularizer-strength", [0.0], min: 0, exclusiveMin: false, max: Bounds.Coefficient),
            s.IntAxis("seed", [1], min: 0),
            s.StringAxis("lr-scaling", [Name(rules.LrScaling)], LrScalings).Select(ParseScaling).ToList(),
            s.BoolAxis("regime-adaptation", [rules.RegimeAdaptation]));
        s.RejectUnknownKeys();
        return grid;
    }

    private static TrainingSpec ReadTraining(HoconSection s, TrainingSpec d)
    {
        var training = new TrainingSpec(
            s.Double("max-loss", d.MaxLoss, min: 0, exclusiveMin: true),
            s.Int("chunk-size", d.ChunkSize, min: 1, max: Bounds.Samples),
            s.Int("micro-batch", d.MicroBatch, min: 0, max: Bounds.Samples));
        s.RejectUnknownKeys();
        return training;
    }

    private static CheckpointSpec ReadCheckpoint(HoconSection s, CheckpointSpec d)
    {
        var checkpoint = new CheckpointSpec(s.Int("every-epochs", d.EveryEpochs, min: 0, max: Bounds.Epochs));
        s.RejectUnknownKeys();
        return checkpoint;
    }

    public static string Name(LrScaling scaling) => scaling.ToString().ToLowerInvariant();

    private static LrScaling ParseScaling(string name) => Enum.Parse<LrScaling>(name, ignoreCase: true);

    private static RulesSpec ReadRules(HoconSection s, RulesSpec d)
    {
        var scaling = s.String("lr-scaling", Name(d.LrScaling), LrScalings);
        var rules = new RulesSpec(ParseScaling(scaling), s.Bool("regime-adaptation", d.RegimeAdaptation));
        s.RejectUnknownKeys();
        return rules;
    }

    private static MetricsSpec ReadMetrics(HoconSection s, MetricsSpec d)
    {
        var sharpness = s.Section("sharpness");
        var hessian = s.Section("hessian");
        var dh = d.HessianOrDefault;
        var noise = s.Section("noise-scale");
        var dn = d.NoiseScaleOrDefault;
        var metrics = new MetricsSpec(
            s.Int("every-steps", d.EverySteps, min: 1),
            s.StringList("flatness", d.Flatness, FlatnessMetrics),
            s.IntList("flatness-epochs", d.FlatnessEpochs, min: 1, max: Bounds.Epochs, maxCount: Bounds.ListLength),
            s.Int("probe-size", d.ProbeSize, min: 1, max: Bounds.Samples),
            new SharpnessSpec(
                sharpness.Double("epsilon", d.Sharpness.Epsilon, min: 0, exclusiveMin: false, max: 1),
                sharpness.Int("steps", d.Sharpness.Steps, min: 1, max: Bounds.Iterations),
                sharpness.Int("subspace-dimension", d.Sharpness.SubspaceDimension, min: 1, max: Bounds.Iterations)),
            s.Bool("path-length", d.PathLength),
            s.Int("walk-every-steps", d.WalkEverySteps, min: 0),
            s.Int("walk-points", d.WalkPoints, min: 2, max: Bounds.Points),
            new HessianSpec(
                hessian.String("method", dh.Method, HessianSpec.Methods),
                hessian.Int("lanczos-steps", dh.LanczosSteps, min: 2, max: Bounds.LanczosSteps),
                hessian.Int("vectors", dh.Vectors, min: 1, max: Bounds.LanczosSteps),
                hessian.Int("trace-vectors", dh.TraceVectors, min: 1, max: Bounds.Iterations)),
            new NoiseScaleSpec(
                noise.Int("small-batch", dn.SmallBatch, min: 1, max: Bounds.Samples),
                noise.Int("large-batch", dn.LargeBatch, min: 2, max: Bounds.Samples),
                noise.Int("pairs", dn.Pairs, min: 2, max: Bounds.Iterations)),
            s.Int("eval-every-steps", d.EvalEverySteps, min: 0),
            ReadTargets(s, d.TargetsOrNone));
        sharpness.RejectUnknownKeys();
        hessian.RejectUnknownKeys();
        noise.RejectUnknownKeys();
        s.RejectUnknownKeys();
        return metrics;
    }

    /// <summary>Accuracy targets lie in (0, 1]; loss targets are positive.</summary>
    private static TargetSpec ReadTargets(HoconSection s, TargetSpec d)
    {
        var metric = s.String("target-metric", d.Metric, TargetSpec.Metrics);
        double max = metric == TargetSpec.TestAccuracy ? 1 : double.MaxValue;
        return new TargetSpec(metric, s.DoubleList("targets", d.Values, min: 0, exclusiveMin: true, max, TargetSpec.MaxCount));
    }

    /// <summary>Rules that relate several keys; each error names the key that has to change.</summary>
    private static IEnumerable<ValidationError> CrossChecks(SweepSpec spec)
    {
        if (spec.Metrics.NoiseScaleOrDefault is var noise && noise.SmallBatch >= noise.LargeBatch)
        {
            yield return new ValidationError("sweep.metrics.noise-scale.large-batch",
                $"must be larger than small-batch ({noise.SmallBatch}), got {noise.LargeBatch}");
        }

        if (spec.Metrics.HessianOrDefault is { Method: "lanczos" } hessian && (long)hessian.LanczosSteps * hessian.Vectors > Bounds.SpectrumNodes)
        {
            yield return new ValidationError("sweep.metrics.hessian.vectors",
                $"lanczos-steps × vectors must be at most {Bounds.SpectrumNodes:N0} (a spectrum is stored as one report), got {hessian.LanczosSteps} × {hessian.Vectors}");
        }

        foreach (var grid in spec.Grids)
        {
            for (int gi = 0; gi < grid.GhostBatchSize.Count; gi++)
            {
                int g = grid.GhostBatchSize[gi];
                if (g == 0) continue;
                if (spec.Model.Norm == "none")
                {
                    yield return new ValidationError($"{grid.Path}.ghost-batch-size[{gi}]",
                        $"ghost batch size {g} needs batch norm, but sweep.model.norm = none");
                    continue;
                }

                if (spec.Training.MicroBatch > 0 && spec.Training.MicroBatch % g != 0)
                {
                    yield return new ValidationError("sweep.training.micro-batch",
                        $"micro-batch {spec.Training.MicroBatch} must be a multiple of every ghost batch size, but not of {grid.Path}.ghost-batch-size[{gi}] = {g}");
                }

                for (int bi = 0; bi < grid.BatchSize.Count; bi++)
                {
                    // Full batch: checked against the training-set size in DatasetChecks.
                    int b = grid.BatchSize[bi];
                    if (b != GridAxes.FullBatch && b % g != 0)
                    {
                        yield return new ValidationError($"{grid.Path}.ghost-batch-size[{gi}]",
                            $"ghost batch size {g} must divide every batch size, but not {grid.Path}.batch-size[{bi}] = {b}");
                    }
                }
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

}
