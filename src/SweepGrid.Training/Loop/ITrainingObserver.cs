using SweepGrid.Core.Results;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Receives a trial's progress from the training loop, on its thread: in a worker process the observer
/// writes each report as a frame to the slot (TrialWorker), in tests it collects them. Implementations
/// must be cheap; training waits for them.
/// </summary>
public interface ITrainingObserver
{
    void OnEpoch(EpochRecord record);

    /// <summary>The epoch's trajectory points, delivered once per epoch, before its <see cref="OnEpoch"/>.</summary>
    void OnTrajectory(IReadOnlyList<TrajectoryPoint> points)
    {
    }

    void OnFlatness(FlatnessRecord record)
    {
    }

    void OnWalk(WalkRecord record)
    {
    }

    /// <summary>The Hessian's Lanczos nodes, after the epoch's flatness records (hessian.method = lanczos).</summary>
    void OnSpectrum(SpectrumRecord record)
    {
    }

    /// <summary>The trial resumes after this epoch, from a checkpoint; later epochs are re-run and re-reported.</summary>
    void OnResumed(int epoch)
    {
    }

    /// <summary>A checkpoint file was not used, and why (damaged, another trial's, refused unread); the trial starts from an older one or afresh.</summary>
    void OnCheckpointRejected(string reason)
    {
    }

    /// <summary>A checkpoint of this epoch was written: its size and the seconds it took (not a report: nothing stores it).</summary>
    void OnCheckpointed(int epoch, long bytes, double seconds)
    {
    }
}
