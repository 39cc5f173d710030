using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>Freezes the running statistics of every <see cref="GhostBatchNorm"/> in a model until disposed.</summary>
public readonly struct FrozenBatchNormStats : IDisposable
{
    private readonly GhostBatchNorm[] _norms;

    public FrozenBatchNormStats(nn.Module model)
    {
        _norms = model.modules().OfType<GhostBatchNorm>().ToArray();
        foreach (var norm in _norms) norm.FreezeRunningStats = true;
    }

    public void Dispose()
    {
        foreach (var norm in _norms ?? []) norm.FreezeRunningStats = false;
    }
}
