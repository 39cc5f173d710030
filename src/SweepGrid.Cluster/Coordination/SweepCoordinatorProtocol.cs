using Akka.Actor;
using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// The coordinator of one sweep: its props and every message it takes or sends. No message here
/// grows with the number of trials (<see cref="SweepJson.MaxMessageBytes"/>): a sweep arrives as its
/// definition, followers get counts and per-trial deltas.
/// </summary>
public static class SweepCoordinatorProtocol
{
    /// <summary>
    /// The coordinator on the store dispatcher, under a supervisor that starts it again when it stops:
    /// a failed journal write stops it, and the new one recovers the sweep from the journal. Messages
    /// go through the supervisor; progress and assignments come from the coordinator itself, which is
    /// what slots and subscribers watch.
    /// </summary>
    public static Props Props(string sweepName, ResultsStore results, int maxFailures = SweepState.DefaultMaxFailures) =>
        Supervision.RestartedAfterStop(
            Akka.Actor.Props.Create(() => new SweepCoordinator(sweepName, results, maxFailures)).WithDispatcher(Supervision.StoreDispatcher),
            "coordinator");

    /// <summary>How many running trials a <see cref="SweepProgress"/> lists (more than a terminal shows); the rest are only counted.</summary>
    public const int MaxListedRunning = 64;

    // ---- from the user (CLI, or the director on its behalf) ----

    /// <summary>Add the trials of this definition (those already known are kept as they are). Replies <see cref="Submitted"/> or <see cref="SubmitRejected"/>.</summary>
    public sealed record Define(SweepDefinition Definition) : IClusterMessage;

    public sealed record Submitted(int Added, int Total, int AlreadyFinished) : IClusterMessage;

    /// <summary>The sweep was not accepted and nothing of it was stored.</summary>
    /// <param name="Errors">One line per problem, each "key: what is wrong" (the client prefixes its file name).</param>
    /// <param name="BadInput">The sweep must be fixed (exit code 2); false: a fault on the cluster's side (exit code 1).</param>
    public sealed record SubmitRejected(IReadOnlyList<string> Errors, bool BadInput) : IClusterMessage
    {
        /// <summary>At most this many lines, each cut to <see cref="MaxLineLength"/>, so the message stays small.</summary>
        public const int MaxLines = 20, MaxLineLength = 400;

        public static SubmitRejected Of(IEnumerable<string> errors, bool badInput) =>
            new(errors.Take(MaxLines).Select(e => e.Length > MaxLineLength ? e[..MaxLineLength] + "…" : e).ToList(), badInput);
    }

    /// <summary>Sender receives <see cref="SweepProgress"/> now, then every <see cref="ProgressEvent"/>, then <see cref="SweepFinished"/>.</summary>
    public sealed record Subscribe(IActorRef Subscriber) : IClusterMessage;

    /// <summary>
    /// Where a sweep stands: counts by status, epochs to run and run (for an ETA), and the running
    /// trials (the first <see cref="MaxListedRunning"/>; <paramref name="RunningNotListed"/> more).
    /// A follower starts from this and applies the deltas that follow; after a hand-over the new
    /// coordinator's first message is a fresh one, recovered from its journal.
    /// </summary>
    /// <param name="Priority">The sweep's weight when open sweeps share the slots (sweep.priority, or sweepgrid priority).</param>
    /// <param name="Standing">Open, paused or cancelled; sent afresh whenever it (or the priority) changes.</param>
    public sealed record SweepProgress(
        string SweepName, TrialCounts Counts, long TotalEpochs, long SettledEpochs, IReadOnlyList<RunningTrial> Running, int RunningNotListed,
        int Priority = SweepSpec.DefaultPriority, SweepStanding Standing = SweepStanding.Open) : IClusterMessage
    {
        public int Count(TrialStatus status) => Counts.Of(status);
    }

    /// <param name="Epoch">The last epoch it reported in this attempt (0: none yet).</param>
    public sealed record RunningTrial(string TrialId, int Attempt, string Slot, int Epoch, int Epochs, string Description);

    public abstract record ProgressEvent(string TrialId) : IClusterMessage;

    /// <param name="Description">The trial's parameters in a few words (<see cref="TrialText.Brief"/>).</param>
    public sealed record TrialStarted(string TrialId, int Attempt, string Slot, int Epochs, string Description) : ProgressEvent(TrialId);

    public sealed record TrialEpoch(string TrialId, int Attempt, EpochRecord Record, int Epochs) : ProgressEvent(TrialId);

    /// <param name="Epochs">The trial's epochs (for an ETA: a settled trial's epochs count as done).</param>
    public sealed record TrialSettled(string TrialId, TrialStatus Status, int Attempts, string? Reason, int Epochs) : ProgressEvent(TrialId);

    public sealed record SweepFinished(SweepProgress Final) : IClusterMessage;

    /// <summary>
    /// sweepgrid pause, resume, cancel or priority, through the director. Journaled before it is answered
    /// with <see cref="SweepControlled"/>, or refused with <see cref="ControlRefused"/> (nothing changed).
    /// </summary>
    public sealed record ControlSweep(string SweepName, SweepControl Control) : IClusterMessage;

    /// <param name="Stopping">Running trials told to stop (paused or cancelled): each ends after its current step, checkpointed, or is stopped within the shutdown's checkpoint budget.</param>
    /// <param name="Changed">False: the sweep already stood so (a repeated pause, the priority it had).</param>
    public sealed record SweepControlled(string SweepName, SweepStanding Standing, int Priority, int Stopping, bool Changed, TrialCounts Counts) : IClusterMessage;

    /// <summary>The control does not apply to the sweep as it stands, or is malformed; nothing was changed.</summary>
    public sealed record ControlRefused(string SweepName, string Reason) : IClusterMessage;

    // ---- from training slots ----

    /// <summary>A free slot asks for a trial. Answered with <see cref="Assignment"/> now or later, or <see cref="NoMoreWork"/>.</summary>
    /// <param name="Again">An idle slot repeating its request (it may have been lost); false when the slot has just started or finished a trial.</param>
    /// <param name="Reported">The attempt this slot last ended and reported (its report may still be on its way), or null.</param>
    public sealed record RequestWork(string Slot, bool Again = false, ReportedAttempt? Reported = null) : IClusterMessage;

    public sealed record ReportedAttempt(string TrialId, int Attempt);

    /// <summary>
    /// From the director: the slot asked for work and its request went to another sweep (or waits at the
    /// director). A trial this sweep thinks runs on the slot, other than the one it reported, is lost (its
    /// slot restarted), exactly as if the request had come here; and the slot no longer waits here. The
    /// director is the coordinators' parent, so this is never serialized: not an <see cref="IClusterMessage"/>.
    /// </summary>
    public sealed record SlotMovedOn(string Slot, ReportedAttempt? Reported);

    public sealed record Assignment(TrialSpec Trial, int Attempt) : IClusterMessage;

    /// <summary>
    /// To the slot running the attempt of a sweep that was paused or cancelled: stop it as at a node's
    /// shutdown (after its current step, checkpointed) and hand it back with <see cref="ReportReleased"/>.
    /// Sent again in answer to each epoch it reports while it still runs; taken only from the coordinator
    /// that assigned the attempt.
    /// </summary>
    public sealed record StopAttempt(string TrialId, int Attempt, string Reason) : IClusterMessage;

    public sealed class NoMoreWork : IClusterMessage
    {
        public static readonly NoMoreWork Instance = new();

        private NoMoreWork()
        {
        }
    }

    /// <summary>Progress of a running attempt, forwarded to subscribers; not persisted here (the recorder does that).</summary>
    public sealed record ReportEpoch(string TrialId, int Attempt, EpochRecord Record) : IClusterMessage;

    /// <summary>The attempt ended with a result that the trial's recorder has already stored.</summary>
    public sealed record ReportFinished(string TrialId, int Attempt, TrialStatus Status, string? Reason) : IClusterMessage;

    /// <summary>The attempt crashed (an exception, not a divergence).</summary>
    public sealed record ReportFailed(string TrialId, int Attempt, string Reason) : IClusterMessage;

    /// <summary>
    /// The slot's node is shutting down, or its sweep was paused or cancelled (<see cref="StopAttempt"/>):
    /// the attempt stopped at the end of an epoch, checkpointed, and
    /// its reports are stored. Re-queued without counting as a failure; answered with
    /// <see cref="ReleaseRecorded"/> once journaled (the node leaves the cluster only after that, since a
    /// slot that leaves while it still holds the trial counts as lost).
    /// </summary>
    public sealed record ReportReleased(string TrialId, int Attempt, string Reason) : IClusterMessage;

    public sealed record ReleaseRecorded(string TrialId, int Attempt) : IClusterMessage;
}
