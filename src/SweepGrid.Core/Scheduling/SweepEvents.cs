using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Scheduling;

/// <summary>What the coordinator's journal records. Replaying these through <see cref="SweepState.Apply"/> rebuilds the sweep.</summary>
public interface ISweepEvent;

/// <summary>
/// The sweep was submitted (again) with this definition: its trials not already held are added,
/// expanded from the definition on every replay. The size of the sweep file, whatever the number of trials.
/// </summary>
public sealed record SweepDefined(SweepDefinition Definition) : ISweepEvent;

/// <summary>
/// Trials added to the sweep, listed one by one. Written by SweepGrid before sweeps were submitted by
/// reference (an event that grew with the sweep); still replayed from such journals, never written.
/// </summary>
public sealed record TrialsSubmitted(IReadOnlyList<TrialSpec> Trials) : ISweepEvent;

/// <summary>A slot took the trial; <see cref="Attempt"/> numbers the runs of this trial from 1.</summary>
public sealed record TrialAssigned(string TrialId, int Attempt, string Slot) : ISweepEvent;

/// <summary>The attempt ran to an end with a result (completed or diverged); its metrics are already stored.</summary>
public sealed record TrialFinished(string TrialId, int Attempt, TrialStatus Status, string? Reason) : ISweepEvent;

/// <summary>
/// The attempt failed through the trial's own fault: it threw, or its worker process died under it
/// (a native abort, an out-of-memory kill, a CUDA fault). Counts as a failure: the trial is retried
/// until it has failed max-failures times. (Journals written before trials ran in worker processes
/// also record a lost node this way.)
/// </summary>
public sealed record TrialAttemptFailed(string TrialId, int Attempt, string Reason) : ISweepEvent;

/// <summary>
/// The attempt was cut short through no fault of the trial: its node died or was downed, or its
/// coordinator restarted. Retried without counting a failure; counted apart, so that a trial whose
/// nodes keep dying ends after max-interruptions instead of looping for ever.
/// </summary>
public sealed record TrialInterrupted(string TrialId, int Attempt, string Reason) : ISweepEvent;

/// <summary>The slot handed the attempt back (its node shut down and released it, checkpointed): retried, counted as nothing.</summary>
public sealed record TrialRequeued(string TrialId, int Attempt, string Reason) : ISweepEvent;

/// <summary>
/// The sweep is paused (sweepgrid pause): no trial of it starts, and its running trials are handed back
/// after their current step, checkpointed, so that its share of the slots goes to the other sweeps.
/// </summary>
public sealed record SweepPaused : ISweepEvent;

/// <summary>
/// The sweep is open again (sweepgrid resume, or the sweep submitted again): its cancelled trials are
/// pending again, and its trials start as its share allows.
/// </summary>
public sealed record SweepResumed : ISweepEvent;

/// <summary>
/// The sweep is cancelled (sweepgrid cancel): its pending trials are cancelled now, its running ones
/// when their attempt has stopped (after their current step, checkpointed) unless it ended with a result.
/// </summary>
public sealed record SweepCancelled : ISweepEvent;

/// <summary>The sweep's weight in the cluster's fair share, set by sweepgrid priority (a later definition's sweep.priority does not undo it).</summary>
public sealed record SweepPrioritySet(int Priority) : ISweepEvent;
