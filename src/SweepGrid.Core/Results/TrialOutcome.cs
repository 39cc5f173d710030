namespace SweepGrid.Core.Results;

/// <summary>How a training run ended: its status, its last epoch record (if any), and why if not completed.</summary>
public sealed record TrialOutcome(TrialStatus Status, EpochRecord? Final, long Steps, double Seconds, string? Reason)
{
    public static TrialOutcome Completed(EpochRecord final, double seconds) =>
        new(TrialStatus.Completed, final, final.Step, seconds, null);

    public static TrialOutcome Diverged(EpochRecord? last, long steps, double seconds, string reason) =>
        new(TrialStatus.Diverged, last, steps, seconds, reason);
}
