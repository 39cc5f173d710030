using SweepGrid.Core.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>Builds the network a trial names. Parameters are initialized from torch's global generator.</summary>
public static class ModelFactory
{
    public static nn.Module<Tensor, Tensor> Create(TrialSpec trial, IReadOnlyList<int> sampleShape, int classes)
    {
        var m = trial.Model;
        bool batchNorm = m.Norm == "batch";
        return m.Name switch
        {
            "mlp" => new Mlp(sampleShape.Aggregate(1, (a, d) => a * d), m.Hidden, classes, batchNorm, trial.GhostBatchSize),
            // Dropout gets its own stream, derived from the seed, independent of the shuffling generator.
            "convnet" => new ConvNet(sampleShape, classes, batchNorm, trial.GhostBatchSize, m.Dropout, seed: trial.Seed * 1_000_003L + 17),
            "resnet" => new ResNet(sampleShape, m.Depth, classes, batchNorm, trial.GhostBatchSize),
            _ => throw new ArgumentException($"unknown model \"{m.Name}\""),
        };
    }
}
