using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Scheduling;

/// <summary>
/// Which events each command causes, given the current state. Pure: no I/O, no clock. A command that
/// changes nothing (a duplicate submission, a late report from a superseded attempt) yields no events,
/// which is what makes results exactly-once although trials run at least once.
/// </summary>
public static class SweepDecisions
{
    private static readonly ISweepEvent[] None = [];

    /// <summary>
    /// A submission: journaled once per distinct set of trials (its fingerprint). Submitting the same
    /// sweep again changes nothing; a grown grid adds only its new trials when applied. A submission
    /// says the sweep should run: a paused or cancelled sweep is resumed (its cancelled trials pending
    /// again, what has a result kept), and the priority it states is the sweep's from now on.
    /// </summary>
    public static IReadOnlyList<ISweepEvent> Define(SweepState state, SweepDefinition definition)
    {
        var events = new List<ISweepEvent>();
        if (!state.IsOpen) events.Add(new SweepResumed());
        if (!state.Fingerprints.Contains(definition.Fingerprint)) events.Add(new SweepDefined(definition));
        else if (definition.Spec.PriorityOrDefault != state.Priority) events.Add(new SweepPrioritySet(definition.Spec.PriorityOrDefault));
        return events;
    }

    /// <summary>The first pending trial in submission order goes to the asking slot, while the sweep is open.</summary>
    public static IReadOnlyList<ISweepEvent> Assign(SweepState state, string slot) =>
        state.IsOpen && state.FirstPending is { } next ? [new TrialAssigned(next.Spec.TrialId, next.Attempts + 1, slot)] : None;

    /// <summary>
    /// sweepgrid pause, resume, cancel or priority. Repeating one changes nothing and is not an error
    /// (pause a paused sweep, resume an open one, set the priority it has); what cannot apply to the sweep
    /// as it stands is refused: cancelling or pausing a sweep that has finished, cancelling a cancelled
    /// one, pausing a cancelled one (resume reopens it). The running trials of a sweep that is no longer
    /// open are stopped by its coordinator, not here: their ends are journaled when their slots report them.
    /// </summary>
    public static ControlDecision Control(SweepState state, SweepControl control)
    {
        if (control.Malformed is { } malformed) return ControlDecision.Refused(malformed);
        bool finished = state.IsFinished && state.IsOpen;
        return control.Kind switch
        {
            SweepControlKind.Cancel when state.Standing == SweepStanding.Cancelled => ControlDecision.Refused($"sweep {state.SweepName} is already cancelled"),
            SweepControlKind.Cancel or SweepControlKind.Pause when finished =>
                ControlDecision.Refused($"sweep {state.SweepName} has finished (every trial has a result or has failed): nothing to {control.Verb}"),
            SweepControlKind.Cancel => new ControlDecision([new SweepCancelled()]),
            SweepControlKind.Pause when state.Standing == SweepStanding.Cancelled =>
                ControlDecision.Refused($"sweep {state.SweepName} is cancelled: `sweepgrid resume {state.SweepName}` reopens it"),
            SweepControlKind.Pause => new ControlDecision(state.Standing == SweepStanding.Paused ? None : [new SweepPaused()]),
            SweepControlKind.Resume => new ControlDecision(state.IsOpen ? None : [new SweepResumed()]),
            _ => new ControlDecision(control.Priority == state.Priority ? None : [new SweepPrioritySet(control.Priority!.Value)]),
        };
    }

    public static IReadOnlyList<ISweepEvent> Finish(SweepState state, string trialId, int attempt, TrialStatus status, string? reason)
    {
        if (status is not (TrialStatus.Completed or TrialStatus.Diverged))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a finished trial is completed or diverged");
        }

        return IsCurrentAttempt(state, trialId, attempt) ? [new TrialFinished(trialId, attempt, status, reason)] : None;
    }

    public static IReadOnlyList<ISweepEvent> Fail(SweepState state, string trialId, int attempt, string reason) =>
        IsCurrentAttempt(state, trialId, attempt) ? [new TrialAttemptFailed(trialId, attempt, reason)] : None;

    /// <summary>
    /// The slot handed the attempt back because its node is shutting down (after checkpointing it): the
    /// trial is re-queued and the attempt is not counted as a failure, since nothing is wrong with it.
    /// </summary>
    public static IReadOnlyList<ISweepEvent> Release(SweepState state, string trialId, int attempt, string reason) =>
        IsCurrentAttempt(state, trialId, attempt) ? [new TrialRequeued(trialId, attempt, reason)] : None;

    /// <summary>
    /// A slot went away (its actor restarted, or its node died or was downed): what it ran was
    /// interrupted, not failed. A trial runs in a worker process of its own, so a trial that crashes
    /// kills its worker, which its slot reports as the trial's failure (<see cref="Fail"/>); a slot
    /// that is lost lost it with its node. Interruptions are counted apart and bounded
    /// (max-interruptions), so that a trial whose nodes keep dying cannot loop for ever.
    /// </summary>
    /// <param name="reported">
    /// The attempt the slot says it last ended and reported, as (trial id, attempt): not lost, its
    /// report is on its way. A free slot's request for work travels through the director while its
    /// report comes straight here, so the request can arrive first; at 2,000 trials it did.
    /// </param>
    public static IReadOnlyList<ISweepEvent> SlotLost(SweepState state, string slot, (string TrialId, int Attempt)? reported = null) =>
        state.RunningOn(slot)
            .Where(t => (t.Spec.TrialId, t.Attempts) != reported)
            .Select(t => (ISweepEvent)new TrialInterrupted(t.Spec.TrialId, t.Attempts, $"slot {slot} was lost"))
            .ToList();

    /// <summary>
    /// After the coordinator restarts from its journal, no slot of the previous incarnation can
    /// report. A running trial whose current attempt already stored its outcome (the report was lost
    /// with the old coordinator) is finished with that outcome, so it is neither run nor recorded a
    /// second time; every other running trial was interrupted (counted towards max-interruptions:
    /// a trial can no longer take its coordinator's process down, but the count bounds any loop).
    /// </summary>
    /// <param name="storedOutcome">The outcome the trial's recorder stored, as (attempt, status, reason); null if none.</param>
    public static IReadOnlyList<ISweepEvent> Restarted(SweepState state, Func<string, (int Attempt, TrialStatus Status, string? Reason)?>? storedOutcome = null) =>
        state.Running
            .Select(t => storedOutcome?.Invoke(t.Spec.TrialId) is { } stored && stored.Attempt == t.Attempts
                ? (ISweepEvent)new TrialFinished(t.Spec.TrialId, t.Attempts, stored.Status, stored.Reason)
                : new TrialInterrupted(t.Spec.TrialId, t.Attempts, "coordinator restarted"))
            .ToList();

    /// <summary>Only the attempt the coordinator last assigned may report; anything else is stale.</summary>
    private static bool IsCurrentAttempt(SweepState state, string trialId, int attempt) =>
        state.Trials.TryGetValue(trialId, out var entry) && entry.Status == TrialStatus.Running && entry.Attempts == attempt;
}
