using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>The coordinator's view of one trial: its status, how many attempts ran, and on which slot it runs.</summary>
public sealed record TrialEntry(TrialSpec Spec, TrialStatus Status, int Attempts, int Failures, string? Slot, string? Reason)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Diverged or TrialStatus.Failed;
}
