using System.Text.RegularExpressions;
using Akka.Configuration;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// Reads a sweep file (HOCON, a single top-level <c>sweep { ... }</c> object) into a validated
/// <see cref="SweepSpec"/>. Defaults are those of <see cref="SweepDefaults"/>, documented key by key
/// in hocon/sweeps/reference.hocon. Checks that need the dataset on disk live in <see cref="DatasetChecks"/>.
/// </summary>
public static partial class SweepFile
{
    public static readonly string[] Regularizers = ["weight-decay"];
    public static readonly string[] Datasets = ["fashion-mnist", "mnist", "synthetic"];
    public static readonly string[] Models = ["mlp"];
    public static readonly string[] Norms = ["none", "batch"];
    public static readonly string[] Optimizers = ["sgd"];
    public static readonly string[] LrScalings = ["none", "linear", "sqrt"];

    /// <summary>Reads and validates a sweep file; throws <see cref="SweepValidationException"/> on bad input.</summary>
    public static SweepSpec Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SweepValidationException(path, [new ValidationError("file", "not found")]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static SweepSpec Parse(string text, string sourceName)
    {
        if (HoconSyntaxCheck.Find(text) is { } syntaxError)
        {
            throw new SweepValidationException(sourceName, [syntaxError]);
        }

        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException)
        {
            throw new SweepValidationException(sourceName, [new ValidationError("syntax", FirstLine(e.Message))]);
        }

        var errors = new List<ValidationError>();
        var root = new HoconSection(config.Root.IsObject() ? config.Root.GetObject() : null, "", errors);
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
        else if (!SafeName().IsMatch(name)) s.Error("name", $"must use only letters, digits, '.', '_' and '-', got \"{name}\"");

        var dataset = ReadDataset(s.Section("dataset"), d.Dataset);
        var model = ReadModel(s.Section("model"), d.Model);
        var optimizer = ReadOptimizer(s.Section("optimizer"), d.Optimizer);
        var regime = ReadBase(s.Section("base"), d.Base);
        var grid = ReadGrid(s.Section("grid"), regime);
        var regularizer = s.String("regularizer", d.Regularizer, Regularizers);
        var rules = ReadRules(s.Section("rules"), d.Rules);
        var metrics = ReadMetrics(s.Section("metrics"), d.Metrics);
        s.RejectUnknownKeys();
        return new SweepSpec(name, dataset, model, optimizer, regime, grid, regularizer, rules, metrics);
    }

    private static DatasetSpec ReadDataset(HoconSection s, DatasetSpec d)
    {
        var name = s.String("name", d.Name, Datasets);
        var path = s.String("path", d.Path);
        if (name != "synthetic" && path.Length == 0)
        {
            s.Error("path", $"missing: dataset {name} needs the folder that holds its IDX files");
        }

        var subset = s.Int("train-subset", d.TrainSubset, min: 0);
        var syn = s.Section("synthetic");
        var synthetic = new SyntheticSpec(
            syn.Int("train-size", d.Synthetic.TrainSize, min: 1),
            syn.Int("test-size", d.Synthetic.TestSize, min: 1),
            syn.Int("features", d.Synthetic.Features, min: 1),
            syn.Int("classes", d.Synthetic.Classes, min: 2));
        syn.RejectUnknownKeys();
        s.RejectUnknownKeys();
        return new DatasetSpec(name, path, subset, synthetic);
    }

    private static ModelSpec ReadModel(HoconSection s, ModelSpec d)
    {
        var model = new ModelSpec(
            s.String("name", d.Name, Models),
            s.IntList("hidden", d.Hidden, min: 1),
            s.String("norm", d.Norm, Norms));
        s.RejectUnknownKeys();
        return model;
    }

    private static OptimizerSpec ReadOptimizer(HoconSection s, OptimizerSpec d)
    {
        var optimizer = new OptimizerSpec(
            s.String("name", d.Name, Optimizers),
            s.Double("momentum", d.Momentum, min: 0, exclusiveMin: false),
            s.Bool("nesterov", d.Nesterov));
        if (optimizer.Momentum >= 1) s.Error("momentum", $"must be < 1, got {optimizer.Momentum}");
        if (optimizer.Nesterov && optimizer.Momentum == 0) s.Error("nesterov", "needs momentum > 0");
        s.RejectUnknownKeys();
        return optimizer;
    }

    private static BaseRegime ReadBase(HoconSection s, BaseRegime d)
    {
        var regime = new BaseRegime(
            s.Int("batch-size", d.BatchSize, min: 1),
            s.Double("learning-rate", d.LearningRate, min: 0, exclusiveMin: true),
            s.Int("epochs", d.Epochs, min: 1));
        s.RejectUnknownKeys();
        return regime;
    }

    /// <summary>An axis left out of the grid takes the base regime's value (or its neutral default).</summary>
    private static GridAxes ReadGrid(HoconSection s, BaseRegime regime)
    {
        var grid = new GridAxes(
            s.IntAxis("batch-size", [regime.BatchSize], min: 1),
            s.DoubleAxis("learning-rate", [regime.LearningRate], min: 0, exclusiveMin: true),
            s.IntAxis("ghost-batch-size", [0], min: 0),
            s.DoubleAxis("regularizer-strength", [0.0], min: 0, exclusiveMin: false),
            s.IntAxis("seed", [1], min: 0));
        s.RejectUnknownKeys();
        return grid;
    }

    private static RulesSpec ReadRules(HoconSection s, RulesSpec d)
    {
        var scaling = s.String("lr-scaling", d.LrScaling.ToString().ToLowerInvariant(), LrScalings);
        var rules = new RulesSpec(Enum.Parse<LrScaling>(scaling, ignoreCase: true), s.Bool("regime-adaptation", d.RegimeAdaptation));
        s.RejectUnknownKeys();
        return rules;
    }

    private static MetricsSpec ReadMetrics(HoconSection s, MetricsSpec d)
    {
        var metrics = new MetricsSpec(s.Int("every-steps", d.EverySteps, min: 1));
        s.RejectUnknownKeys();
        return metrics;
    }

    /// <summary>Rules that relate several keys; each error names the key that has to change.</summary>
    private static IEnumerable<ValidationError> CrossChecks(SweepSpec spec)
    {
        var ghosts = spec.Grid.GhostBatchSize;
        for (int gi = 0; gi < ghosts.Count; gi++)
        {
            int g = ghosts[gi];
            if (g == 0) continue;
            if (spec.Model.Norm == "none")
            {
                yield return new ValidationError($"sweep.grid.ghost-batch-size[{gi}]",
                    $"ghost batch size {g} needs batch norm, but sweep.model.norm = none");
                continue;
            }

            for (int bi = 0; bi < spec.Grid.BatchSize.Count; bi++)
            {
                int b = spec.Grid.BatchSize[bi];
                if (b % g != 0)
                {
                    yield return new ValidationError($"sweep.grid.ghost-batch-size[{gi}]",
                        $"ghost batch size {g} must divide every batch size, but not sweep.grid.batch-size[{bi}] = {b}");
                }
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();
}
