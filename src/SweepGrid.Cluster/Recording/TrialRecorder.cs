using Akka.Persistence;
using SweepGrid.Cluster.Results;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Recording;

/// <summary>
/// Records one trial's trajectory and outcome: first in its journal (the durable record), then in
/// the plain result tables (the queryable copy, rebuilt by upsert on every write). Messages are handled
/// in order and each is persisted before the next is taken, so the outcome never overtakes an epoch.
/// </summary>
internal sealed class TrialRecorder : ReceivePersistentActor
{
    private readonly string _sweep;
    private readonly string _trial;
    private readonly ResultsStore _results;

    public TrialRecorder(string sweep, string trial, ResultsStore results)
    {
        _sweep = sweep;
        _trial = trial;
        _results = results;
        PersistenceId = PersistenceIdOf(sweep, trial);

        // The journal is the record; the tables are already up to date, so recovery only replays.
        Recover<IRecorderEvent>(_ => { });

        Command<RecordEpoch>(r => Persist(new EpochRecorded(r.Attempt, r.Record), e => _results.WriteEpoch(_sweep, _trial, e.Record)));
        // One event per epoch's points, not per point: the SQL journal is slow at one write per event.
        Command<RecordPoints>(r => Persist(new PointsRecorded(r.Attempt, r.Points), e => _results.WritePoints(_sweep, _trial, e.Points)));
        Command<RecordFlatness>(r => Persist(new FlatnessRecorded(r.Attempt, r.Record), e => _results.WriteFlatness(_sweep, _trial, e.Record)));
        Command<RecordWalk>(r => Persist(new WalkRecorded(r.Attempt, r.Record), e => _results.WriteWalk(_sweep, _trial, e.Record)));
        Command<RecordOutcome>(r =>
        {
            var requester = Sender;
            Persist(new OutcomeRecorded(r.Attempt, r.Outcome), e =>
            {
                _results.WriteOutcome(_sweep, _trial, e.Outcome, e.Attempt);
                requester.Tell(new OutcomeStored(e.Attempt), Self);
            });
        });
    }

    public override string PersistenceId { get; }
}
