using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;

namespace SweepGrid.Cluster.Recording;

/// <summary>The recorder of one trial: its props and messages.</summary>
public static class TrialRecorderProtocol
{
    public static Props Props(string sweepName, string trialId, ResultsStore results) =>
        Akka.Actor.Props.Create(() => new TrialRecorder(sweepName, trialId, results));

    public static string PersistenceIdOf(string sweepName, string trialId) => $"trial-{sweepName}-{trialId}";

    public sealed record RecordEpoch(int Attempt, EpochRecord Record);

    public sealed record RecordPoints(int Attempt, IReadOnlyList<TrajectoryPoint> Points);

    public sealed record RecordFlatness(int Attempt, FlatnessRecord Record);

    public sealed record RecordWalk(int Attempt, WalkRecord Record);

    /// <summary>Replies <see cref="OutcomeStored"/> once the outcome is in the journal and the result tables.</summary>
    public sealed record RecordOutcome(int Attempt, TrialOutcome Outcome);

    public sealed record OutcomeStored(int Attempt);
}
