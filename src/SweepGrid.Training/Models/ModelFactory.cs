using SweepGrid.Core.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>Builds the network a trial names. Parameters are initialized from torch's global generator.</summary>
public static class ModelFactory
{
    public static nn.Module<Tensor, Tensor> Create(TrialSpec trial, int features, int classes) => trial.Model.Name switch
    {
        "mlp" => new Mlp(features, trial.Model.Hidden, classes, trial.Model.Norm == "batch", trial.GhostBatchSize),
        _ => throw new ArgumentException($"unknown model \"{trial.Model.Name}\""),
    };
}
