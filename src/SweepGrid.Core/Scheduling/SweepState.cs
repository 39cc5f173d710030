using System.Collections.Immutable;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>
/// The sweep as the coordinator holds it: an immutable value, changed only by <see cref="Apply"/>.
/// The decisions (which events a command causes) are in <see cref="SweepDecisions"/>; together they
/// are the sweep's state machine, testable without an actor system:
/// Pending → Running → Completed | Diverged, Running → Pending (retry) or Failed (too many failures).
/// </summary>
public sealed record SweepState(
    string SweepName,
    int MaxFailures,
    ImmutableDictionary<string, TrialEntry> Trials,
    ImmutableList<string> Order)
{
    public const int DefaultMaxFailures = 3;

    public static SweepState Empty(string sweepName, int maxFailures = DefaultMaxFailures) =>
        new(sweepName, maxFailures, ImmutableDictionary<string, TrialEntry>.Empty, ImmutableList<string>.Empty);

    /// <summary>Trials in submission order.</summary>
    public IEnumerable<TrialEntry> InOrder => Order.Select(id => Trials[id]);

    public bool IsFinished => !Trials.IsEmpty && Trials.Values.All(t => t.IsTerminal);

    public int Count(TrialStatus status) => Trials.Values.Count(t => t.Status == status);

    public SweepState Apply(ISweepEvent e) => e switch
    {
        TrialsSubmitted s => s.Trials.Where(t => !Trials.ContainsKey(t.TrialId)).Aggregate(this, (state, t) => state with
        {
            Trials = state.Trials.Add(t.TrialId, new TrialEntry(t, TrialStatus.Pending, 0, 0, null, null)),
            Order = state.Order.Add(t.TrialId),
        }),
        TrialAssigned a => Update(a.TrialId, t => t with { Status = TrialStatus.Running, Attempts = a.Attempt, Slot = a.Slot }),
        TrialFinished f => Update(f.TrialId, t => t with { Status = f.Status, Slot = null, Reason = f.Reason }),
        TrialAttemptFailed f => Update(f.TrialId, t => t with
        {
            Status = t.Failures + 1 >= MaxFailures ? TrialStatus.Failed : TrialStatus.Pending,
            Failures = t.Failures + 1,
            Slot = null,
            Reason = f.Reason,
        }),
        TrialRequeued r => Update(r.TrialId, t => t with { Status = TrialStatus.Pending, Slot = null, Reason = r.Reason }),
        _ => throw new ArgumentException($"unknown sweep event {e.GetType().Name}", nameof(e)),
    };

    private SweepState Update(string trialId, Func<TrialEntry, TrialEntry> change) =>
        this with { Trials = Trials.SetItem(trialId, change(Trials[trialId])) };
}
