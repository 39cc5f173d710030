using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>
/// A trial's id is a hash of its sweep name and every resolved parameter that changes what it
/// computes, written in a canonical, culture-free form: the same sweep file yields the same ids on
/// every run and machine, and changing any parameter yields a new id. The dataset path is left out
/// on purpose: the same data mounted elsewhere is the same trial.
/// </summary>
public static class TrialIdentity
{
    public const int HexLength = 12;

    public static string Of(TrialSpec t) => Hash(Canonical(t));

    internal static string Canonical(TrialSpec t)
    {
        var d = t.Dataset;
        var parts = new[]
        {
            $"sweep={t.SweepName}",
            $"dataset={d.Name}/{d.TrainSubset}/{d.Synthetic.TrainSize}x{d.Synthetic.Features}:{d.Synthetic.Classes}/{d.Synthetic.TestSize}",
            $"model={Model(t.Model)}",
            $"optimizer={Optimizer(t.Optimizer)}",
            $"schedule={t.Schedule.Name}/{string.Join('-', t.Schedule.DropEpochs)}/{N(t.Schedule.DropFactor)}/{t.Schedule.WarmupEpochs}",
            // Micro-batching only where it is on, so every trial id from before it existed stays the same.
            t.FullBatch ? $"batch=full:{t.BatchSize}/chunk{t.ChunkSize}" : t.ChunkSize > 0 ? $"batch={t.BatchSize}/micro{t.ChunkSize}" : $"batch={t.BatchSize}",
            $"lr={N(t.LearningRate)}",
            $"ghost={t.GhostBatchSize}",
            $"regularizer={t.Regularizer}/{N(t.RegularizerStrength)}",
            $"seed={t.Seed}",
            $"epochs={t.Epochs}",
            $"max-loss={N(t.MaxLoss)}",
            $"every={t.MetricsEverySteps}",
        };
        return string.Join(';', parts);
    }

    /// <summary>Only the settings the model uses: depth does not change an MLP.</summary>
    private static string Model(ModelSpec m) => m.Name switch
    {
        "mlp" => $"mlp/{string.Join('-', m.Hidden)}/{m.Norm}",
        "convnet" => $"convnet/{m.Norm}/dropout{N(m.Dropout)}",
        _ => $"{m.Name}{m.Depth}/{m.Norm}",
    };

    /// <summary>Only the settings the optimizer uses: switching to Adam must not depend on SGD's momentum.</summary>
    private static string Optimizer(OptimizerSpec o)
    {
        var own = o.Name == "adam"
            ? $"{N(o.Beta1)}/{N(o.Beta2)}/{N(o.Epsilon)}"
            : $"{N(o.Momentum)}/{o.Nesterov}";
        return $"{o.Name}/{own}/wd{N(o.WeightDecay)}/clip{N(o.ClipNorm)}";
    }

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Hash(string canonical)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return Convert.ToHexStringLower(digest)[..HexLength];
    }
}
