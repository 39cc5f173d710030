namespace SweepGrid.Core.Results;

/// <summary>Where a trial stands. Completed and Diverged are results; Failed means every attempt crashed.</summary>
public enum TrialStatus
{
    Pending,
    Running,
    Completed,
    Diverged,
    Failed,
}
