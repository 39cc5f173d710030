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

    /// <summary>The epoch's trajectory points, delivered once per epoch, before its <see cref="OnEpoch"/> (and those so far when a release stops it within the epoch).</summary>
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

    /// <summary>The trial resumes from a checkpoint after <paramref name="epoch"/> epochs and <paramref name="stepInEpoch"/> steps of the next; what follows is re-run and re-reported.</summary>
    void OnResumed(int epoch, long stepInEpoch)
    {
    }

    /// <summary>A checkpoint file was not used, and why (damaged, another trial's, refused unread); the trial starts from an older one or afresh.</summary>
    void OnCheckpointRejected(string reason)
    {
    }

    /// <summary>A checkpoint after <paramref name="epoch"/> epochs and <paramref name="stepInEpoch"/> steps of the next was written: its size and the seconds it took (not a report: nothing stores it).</summary>
    void OnCheckpointed(int epoch, long stepInEpoch, long bytes, double seconds)
    {
    }
}
