namespace SweepGrid.Core.Results;

/// <summary>
/// Where a trial stands. Completed and Diverged are results; Failed means every attempt crashed;
/// Cancelled means its sweep was cancelled before it had a result (submitting the sweep again, or
/// resuming it, makes it pending again).
/// </summary>
public enum TrialStatus
{
    Pending,
    Running,
    Completed,
    Diverged,
    Failed,
    Cancelled,
}
