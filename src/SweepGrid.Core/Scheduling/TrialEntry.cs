using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>The coordinator's view of one trial: its place in the sweep, its status, how many attempts ran, and on which slot it runs.</summary>
/// <param name="Ordinal">Its position in the sweep (0 = first submitted): trials are assigned in this order.</param>
public sealed record TrialEntry(TrialSpec Spec, int Ordinal, TrialStatus Status, int Attempts, int Failures, string? Slot, string? Reason)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Diverged or TrialStatus.Failed;
}
