using SweepGrid.Core.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Tests;

/// <summary>An observer that keeps every epoch record it is given.</summary>
internal sealed class EpochCollector : ITrainingObserver
{
    public List<EpochRecord> Epochs { get; } = [];

    public void OnEpoch(EpochRecord record) => Epochs.Add(record);
}
