using Akka.Actor;
using Akka.Pattern;
using SweepGrid.Store;
using SweepGrid.Core.Results;

namespace SweepGrid.Cluster.Recording;

/// <summary>
/// The recorder of one trial: its props and messages. Every report carries the attempt and its number
/// in the attempt (from 1, no gaps); the recorder answers <see cref="Recorded"/> once a report is in the
/// journal and the result tables, and the sender keeps sending what is not acknowledged (see
/// <see cref="Outbox"/>).
/// </summary>
public static class TrialRecorderProtocol
{
    /// <summary>The recorder on the store dispatcher, under a supervisor that starts it again after it stops.</summary>
    /// <remarks>
    /// A failed journal write stops a persistent actor (Akka.Persistence cannot know what was written).
    /// The supervisor starts a new one, with backoff while the database is down; it recovers the journal
    /// and the slot's re-sent reports fill in whatever the stopped one did not store.
    /// </remarks>
    public static Props Props(string sweepName, string trialId, ResultsStore results) =>
        Supervision.RestartedAfterStop(
            Akka.Actor.Props.Create(() => new TrialRecorder(sweepName, trialId, results)).WithDispatcher(Supervision.StoreDispatcher),
            "recorder");

    /// <summary>A report for the recorder.</summary>
    public interface IRecord
    {
        int Attempt { get; }

        int Seq { get; }
    }

    public sealed record RecordEpoch(int Attempt, int Seq, EpochRecord Record) : IRecord;

    public sealed record RecordPoints(int Attempt, int Seq, IReadOnlyList<TrajectoryPoint> Points) : IRecord;

    public sealed record RecordFlatness(int Attempt, int Seq, FlatnessRecord Record) : IRecord;

    public sealed record RecordWalk(int Attempt, int Seq, WalkRecord Record) : IRecord;

    public sealed record RecordSpectrum(int Attempt, int Seq, SpectrumRecord Record) : IRecord;

    /// <summary>The attempt's last report: once it is acknowledged the slot reports the outcome to the coordinator.</summary>
    public sealed record RecordOutcome(int Attempt, int Seq, TrialOutcome Outcome) : IRecord;

    /// <summary>Reports 1..<see cref="Seq"/> of this attempt are in the journal and the result tables.</summary>
    public sealed record Recorded(string TrialId, int Attempt, int Seq);

    /// <summary>
    /// The report's attempt was superseded by attempt <see cref="By"/> (its node was frozen past the downing
    /// time and the trial moved on): nothing of it is stored, and its slot must stop it.
    /// </summary>
    public sealed record Superseded(string TrialId, int Attempt, int By);
}
