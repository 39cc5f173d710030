using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Coordination;

/// <summary>The coordinator of one sweep: its props and every message it takes or sends.</summary>
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

    public static string PersistenceIdOf(string sweepName) => $"sweep-{sweepName}";

    // ---- from the user (CLI) ----

    /// <summary>Add these trials (those already known are ignored). Replies <see cref="Submitted"/>.</summary>
    public sealed record Submit(IReadOnlyList<TrialSpec> Trials) : IClusterMessage;

    public sealed record Submitted(int Added, int Total, int AlreadyFinished) : IClusterMessage;

    /// <summary>Sender receives <see cref="Snapshot"/> now, then every <see cref="ProgressEvent"/>, then <see cref="SweepFinished"/>.</summary>
    public sealed record Subscribe(IActorRef Subscriber) : IClusterMessage;

    public sealed class GetSnapshot : IClusterMessage
    {
        public static readonly GetSnapshot Instance = new();

        private GetSnapshot()
        {
        }
    }

    public sealed record Snapshot(string SweepName, IReadOnlyList<TrialEntry> Trials) : IClusterMessage
    {
        public int Count(TrialStatus status) => Trials.Count(t => t.Status == status);
    }

    public abstract record ProgressEvent(string TrialId) : IClusterMessage;

    public sealed record TrialStarted(string TrialId, int Attempt, string Slot) : ProgressEvent(TrialId);

    public sealed record TrialEpoch(string TrialId, int Attempt, EpochRecord Record) : ProgressEvent(TrialId);

    public sealed record TrialSettled(string TrialId, TrialStatus Status, int Attempts, string? Reason) : ProgressEvent(TrialId);

    public sealed record SweepFinished(Snapshot Final) : IClusterMessage;

    // ---- from training slots ----

    /// <summary>A free slot asks for a trial. Answered with <see cref="Assignment"/> now or later, or <see cref="NoMoreWork"/>.</summary>
    /// <param name="Again">An idle slot repeating its request (it may have been lost); false when the slot has just started or finished a trial.</param>
    public sealed record RequestWork(string Slot, bool Again = false) : IClusterMessage;

    public sealed record Assignment(TrialSpec Trial, int Attempt) : IClusterMessage;

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
    /// The slot's node is shutting down: the attempt stopped at the end of an epoch, checkpointed, and
    /// its reports are stored. Re-queued without counting as a failure; answered with
    /// <see cref="ReleaseRecorded"/> once journaled (the node leaves the cluster only after that, since a
    /// slot that leaves while it still holds the trial counts as lost).
    /// </summary>
    public sealed record ReportReleased(string TrialId, int Attempt, string Reason) : IClusterMessage;

    public sealed record ReleaseRecorded(string TrialId, int Attempt) : IClusterMessage;
}
