namespace SweepGrid.Core.Results;

/// <summary>How a training run ended: its status, its last epoch record (if any), and why if not completed.</summary>
/// <remarks><see cref="DistanceFit"/>: ‖w_t − w_0‖ ≈ a·ln t + b over the trajectory points, if there were enough.</remarks>
public sealed record TrialOutcome(TrialStatus Status, EpochRecord? Final, long Steps, double Seconds, string? Reason, LogFit? DistanceFit = null)
{
    /// <summary>The epoch of the checkpoint this run resumed from; null when it started from epoch 1.</summary>
    public int? ResumedFromEpoch { get; init; }

    public static TrialOutcome Completed(EpochRecord final, double seconds, LogFit? fit) =>
        new(TrialStatus.Completed, final, final.Step, seconds, null, fit);

    public static TrialOutcome Diverged(EpochRecord? last, long steps, double seconds, string reason, LogFit? fit) =>
        new(TrialStatus.Diverged, last, steps, seconds, reason, fit);
}
