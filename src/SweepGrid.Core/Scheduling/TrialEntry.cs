using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>The coordinator's view of one trial: its place in the sweep, its status, how many attempts ran, and on which slot it runs.</summary>
/// <param name="Ordinal">Its position in the sweep (0 = first submitted): trials are assigned in this order.</param>
/// <param name="Failures">Attempts that failed through the trial's own fault (an exception, its worker process crashing).</param>
/// <param name="Interruptions">Attempts cut short through no fault of the trial (its node lost, its coordinator restarted).</param>
public sealed record TrialEntry(TrialSpec Spec, int Ordinal, TrialStatus Status, int Attempts, int Failures, string? Slot, string? Reason, int Interruptions = 0)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Diverged or TrialStatus.Failed or TrialStatus.Cancelled;
}
