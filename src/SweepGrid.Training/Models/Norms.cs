using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>The normalization layer a model's norm option asks for.</summary>
internal static class Norms
{
    public static nn.Module<Tensor, Tensor> Create(bool batchNorm, long features, int ghostBatchSize) =>
        batchNorm ? new GhostBatchNorm(features, ghostBatchSize) : nn.Identity();
}
