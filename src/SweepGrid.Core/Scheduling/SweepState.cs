using System.Collections.Immutable;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>
/// The sweep as the coordinator holds it: an immutable value, changed only by <see cref="Apply"/>.
/// The decisions (which events a command causes) are in <see cref="SweepDecisions"/>; together they
/// are the sweep's state machine, testable without an actor system:
/// Pending → Running → Completed | Diverged, Running → Pending (retry) or Failed (too many failures, or
/// too many interruptions); in a cancelled sweep, Pending → Cancelled (and back to Pending when it is
/// resumed). The sweep itself is open, paused or cancelled (<see cref="Standing"/>).
/// Indexed for sweeps of 100,000 trials: the next pending trial, a slot's running trial and the
/// counts by status are each found in O(log n), never by a scan of every trial.
/// </summary>
public sealed record SweepState(
    string SweepName,
    int MaxFailures,
    int MaxInterruptions,
    ImmutableDictionary<string, TrialEntry> Trials,
    ImmutableList<string> Order,
    ImmutableSortedSet<int> PendingOrdinals,
    ImmutableDictionary<string, ImmutableSortedSet<int>> RunningOrdinalsBySlot,
    TrialCounts Counts,
    long TotalEpochs,
    long SettledEpochs,
    ImmutableHashSet<string> Fingerprints)
{
    public const int DefaultMaxFailures = 3;

    /// <summary>The priority of the sweep's latest definition: its weight in the cluster's <see cref="FairShare"/>.</summary>
    public int Priority { get; init; } = SweepSpec.DefaultPriority;

    /// <summary>Whether its trials may start: open, paused or cancelled (sweepgrid pause, resume, cancel).</summary>
    public SweepStanding Standing { get; init; } = SweepStanding.Open;

    /// <summary>Open: its pending trials may start.</summary>
    public bool IsOpen => Standing == SweepStanding.Open;

    /// <summary>
    /// Generous: a preemptible or flaky machine may be lost a few times in a trial's life. Twenty lost
    /// attempts of one trial say something is wrong with the cluster, or with what the trial does to it.
    /// </summary>
    public const int DefaultMaxInterruptions = 20;

    public static SweepState Empty(string sweepName, int maxFailures = DefaultMaxFailures, int maxInterruptions = DefaultMaxInterruptions) =>
        new(sweepName, maxFailures, maxInterruptions, ImmutableDictionary<string, TrialEntry>.Empty, ImmutableList<string>.Empty,
            ImmutableSortedSet<int>.Empty, ImmutableDictionary<string, ImmutableSortedSet<int>>.Empty, TrialCounts.Zero, 0, 0,
            ImmutableHashSet<string>.Empty);

    /// <summary>Trials in submission order (a scan of all of them: for tests and listings, not for decisions).</summary>
    public IEnumerable<TrialEntry> InOrder => Order.Select(id => Trials[id]);

    public bool IsFinished => !Trials.IsEmpty && Counts.Pending == 0 && Counts.Running == 0;

    public int Count(TrialStatus status) => Counts.Of(status);

    /// <summary>The pending trial submitted first, or null.</summary>
    public TrialEntry? FirstPending => PendingOrdinals.IsEmpty ? null : Trials[Order[PendingOrdinals.Min]];

    /// <summary>The pending trials, in submission order.</summary>
    public IEnumerable<TrialEntry> Pending => PendingOrdinals.Select(o => Trials[Order[o]]);

    /// <summary>The trials running on <paramref name="slot"/>, in submission order (one, unless a report was lost).</summary>
    public IEnumerable<TrialEntry> RunningOn(string slot) =>
        RunningOrdinalsBySlot.TryGetValue(slot, out var ordinals) ? ordinals.Select(o => Trials[Order[o]]) : [];

    /// <summary>Every running trial, in submission order.</summary>
    public IEnumerable<TrialEntry> Running =>
        RunningOrdinalsBySlot.Values.SelectMany(o => o).Order().Select(o => Trials[Order[o]]);

    public SweepState Apply(ISweepEvent e) => e switch
    {
        SweepDefined d => Add(d.Definition.Expand()) with { Fingerprints = Fingerprints.Add(d.Definition.Fingerprint), Priority = d.Definition.Spec.PriorityOrDefault },
        TrialsSubmitted s => Add(s.Trials),
        TrialAssigned a => Update(a.TrialId, t => t with { Status = TrialStatus.Running, Attempts = a.Attempt, Slot = a.Slot }),
        TrialFinished f => Update(f.TrialId, t => t with { Status = f.Status, Slot = null, Reason = f.Reason }),
        TrialAttemptFailed f => Update(f.TrialId, t => t with
        {
            Status = t.Failures + 1 >= MaxFailures ? TrialStatus.Failed : TrialStatus.Pending,
            Failures = t.Failures + 1,
            Slot = null,
            Reason = f.Reason,
        }),
        TrialInterrupted i => Update(i.TrialId, t => t with
        {
            Status = t.Interruptions + 1 >= MaxInterruptions ? TrialStatus.Failed : TrialStatus.Pending,
            Interruptions = t.Interruptions + 1,
            Slot = null,
            Reason = t.Interruptions + 1 >= MaxInterruptions
                ? $"interrupted {t.Interruptions + 1} times through no fault of its own, last: {i.Reason} (its nodes keep dying: look at them)"
                : i.Reason,
        }),
        TrialRequeued r => Update(r.TrialId, t => t with { Status = TrialStatus.Pending, Slot = null, Reason = r.Reason }),
        SweepPaused => this with { Standing = SweepStanding.Paused },
        // Cancelled first, so that every pending trial Update touches becomes cancelled.
        SweepCancelled => Pending.ToList().Aggregate(this with { Standing = SweepStanding.Cancelled },
            (state, t) => state.Update(t.Spec.TrialId, entry => entry)),
        // A scan of every trial, for a command a person types now and then.
        SweepResumed => InOrder.Where(t => t.Status == TrialStatus.Cancelled).ToList().Aggregate(this with { Standing = SweepStanding.Open },
            (state, t) => state.Update(t.Spec.TrialId, entry => entry with { Status = TrialStatus.Pending, Reason = null })),
        SweepPrioritySet p => this with { Priority = p.Priority },
        _ => throw new ArgumentException($"unknown sweep event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>Appends the trials not already in the sweep, pending, in the order given.</summary>
    private SweepState Add(IEnumerable<TrialSpec> trials)
    {
        var byId = Trials.ToBuilder();
        var order = Order.ToBuilder();
        var pending = PendingOrdinals.ToBuilder();
        long epochs = TotalEpochs;
        foreach (var t in trials)
        {
            if (byId.ContainsKey(t.TrialId)) continue;
            byId.Add(t.TrialId, new TrialEntry(t, order.Count, TrialStatus.Pending, 0, 0, null, null));
            pending.Add(order.Count);
            order.Add(t.TrialId);
            epochs += t.Epochs;
        }

        int added = order.Count - Order.Count;
        return this with
        {
            Trials = byId.ToImmutable(),
            Order = order.ToImmutable(),
            PendingOrdinals = pending.ToImmutable(),
            Counts = Counts.Moved(null, TrialStatus.Pending, added),
            TotalEpochs = epochs,
        };
    }

    /// <summary>The reason a cancelled trial shows.</summary>
    public const string CancelledReason = "its sweep was cancelled";

    /// <summary>
    /// Replaces one trial's entry and keeps the indexes and counts in step with it. In a cancelled sweep a
    /// trial that would wait for a slot (never run, handed back, re-queued) is cancelled instead.
    /// </summary>
    private SweepState Update(string trialId, Func<TrialEntry, TrialEntry> change)
    {
        var before = Trials[trialId];
        var after = change(before);
        if (after.Status == TrialStatus.Pending && Standing == SweepStanding.Cancelled) after = after with { Status = TrialStatus.Cancelled, Reason = CancelledReason };
        var pending = PendingOrdinals;
        if (before.Status == TrialStatus.Pending) pending = pending.Remove(before.Ordinal);
        if (after.Status == TrialStatus.Pending) pending = pending.Add(after.Ordinal);
        var running = RunningOrdinalsBySlot;
        if (before is { Status: TrialStatus.Running, Slot: { } oldSlot }) running = WithoutRunning(running, oldSlot, before.Ordinal);
        if (after is { Status: TrialStatus.Running, Slot: { } newSlot })
        {
            running = running.SetItem(newSlot, running.GetValueOrDefault(newSlot, ImmutableSortedSet<int>.Empty).Add(after.Ordinal));
        }

        long settled = SettledEpochs + (after.IsTerminal ? after.Spec.Epochs : 0) - (before.IsTerminal ? before.Spec.Epochs : 0);
        return this with
        {
            Trials = Trials.SetItem(trialId, after),
            PendingOrdinals = pending,
            RunningOrdinalsBySlot = running,
            Counts = Counts.Moved(before.Status, after.Status),
            SettledEpochs = settled,
        };
    }

    private static ImmutableDictionary<string, ImmutableSortedSet<int>> WithoutRunning(
        ImmutableDictionary<string, ImmutableSortedSet<int>> running, string slot, int ordinal)
    {
        var left = running[slot].Remove(ordinal);
        return left.IsEmpty ? running.Remove(slot) : running.SetItem(slot, left);
    }
}
