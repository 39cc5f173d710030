using SweepGrid.Core.Results;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Receives a trial's progress from the training thread. Implementations must be cheap and
/// thread-safe (the actor-side observer only posts a message).
/// </summary>
public interface ITrainingObserver
{
    void OnEpoch(EpochRecord record);
}
