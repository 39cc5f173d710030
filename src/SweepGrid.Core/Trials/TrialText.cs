using System.Globalization;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>Short human-readable descriptions of a trial's model, optimizer and derived schedule, for tables and exports.</summary>
public static class TrialText
{
    public static string Model(TrialSpec t) => t.Model.Name switch
    {
        "mlp" => $"mlp {string.Join('-', t.Model.Hidden)} {t.Model.Norm}",
        "resnet" => $"resnet{t.Model.Depth} {t.Model.Norm}",
        _ => $"{t.Model.Name} {t.Model.Norm}",
    };

    public static string Optimizer(TrialSpec t)
    {
        var o = t.Optimizer;
        var own = o.Name == "adam" ? $"adam b1={N(o.Beta1)} b2={N(o.Beta2)}" : $"sgd m={N(o.Momentum)}{(o.Nesterov ? " nesterov" : "")}";
        return $"{own} wd={N(o.WeightDecay)}{(o.ClipNorm > 0 ? $" clip={N(o.ClipNorm)}" : "")}";
    }

    /// <summary>The schedule as the trial runs it, i.e. after regime adaptation moved its drops.</summary>
    public static string Schedule(TrialSpec t)
    {
        var s = t.Schedule;
        var body = s.Name == "step" ? $"step x{N(s.DropFactor)} at {string.Join(',', s.DropEpochs)}" : s.Name;
        return s.WarmupEpochs > 0 ? $"warmup {s.WarmupEpochs}, {body}" : body;
    }

    /// <summary>The grid's coordinates of a trial in a few words, for progress lines.</summary>
    public static string Brief(TrialSpec t) => string.Create(CultureInfo.InvariantCulture,
        $"batch {t.BatchSize}, lr {t.LearningRate:G4}, ghost {t.GhostBatchSize}, {t.Regularizer} {t.RegularizerStrength:G3}, seed {t.Seed}, {t.Epochs} epochs");

    private static string N(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
