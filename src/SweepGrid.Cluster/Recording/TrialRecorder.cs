using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepGrid.Core.Recording;
using SweepGrid.Store;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Recording;

/// <summary>
/// Records one trial's trajectory and outcome: first in its journal (the durable record), then in
/// the plain result tables (the queryable copy, rebuilt by upsert on every write). Reports are taken
/// strictly in their attempt's order: one already journaled is written to the tables again (a
/// restarted recorder may have stopped between the two) and acknowledged, never journaled twice; one
/// that skips a number (the one before it was lost while this recorder was down) is dropped, and the
/// slot sends both again. Each is persisted before the next is taken, so the outcome never overtakes an epoch.
/// Reports of a superseded attempt are refused (<see cref="AttemptFence"/>): a recorder that has
/// journaled a newer attempt refuses them at once, and the store refuses to write them once the
/// coordinator has assigned a newer one; either way the sender is told (<see cref="Superseded"/>) and
/// the refusal is logged once per attempt with both numbers.
/// </summary>
internal sealed class TrialRecorder : StoreWritingActor
{
    private readonly string _sweep;
    private readonly string _trial;
    private readonly ResultsStore _results;

    /// <summary>The highest report number journaled, per attempt.</summary>
    private readonly Dictionary<int, int> _journaled = new();

    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Attempts whose refusal has been logged (once each).</summary>
    private readonly HashSet<int> _refusalsLogged = [];

    private AttemptFence _fence = AttemptFence.Open;

    public TrialRecorder(string sweep, string trial, ResultsStore results)
    {
        _sweep = sweep;
        _trial = trial;
        _results = results;
        PersistenceId = PersistenceIds.Trial(sweep, trial);

        Recover<IRecorderEvent>(e =>
        {
            _journaled[e.Attempt] = Math.Max(_journaled.GetValueOrDefault(e.Attempt), e.Seq);
            _fence = _fence.Accepted(e.Attempt);
        });

        Command<RecordEpoch>(r => Take(r, new EpochRecorded(r.Attempt, r.Record, r.Seq), () => _results.Write.Epoch(_sweep, _trial, r.Attempt, r.Record)));
        // One event per epoch's points, not per point: the SQL journal is slow at one write per event.
        Command<RecordPoints>(r => Take(r, new PointsRecorded(r.Attempt, r.Points, r.Seq), () => _results.Write.Points(_sweep, _trial, r.Attempt, r.Points)));
        Command<RecordFlatness>(r => Take(r, new FlatnessRecorded(r.Attempt, r.Record, r.Seq), () => _results.Write.Flatness(_sweep, _trial, r.Attempt, r.Record)));
        Command<RecordWalk>(r => Take(r, new WalkRecorded(r.Attempt, r.Record, r.Seq), () => _results.Write.Walk(_sweep, _trial, r.Attempt, r.Record)));
        Command<RecordSpectrum>(r => Take(r, new SpectrumRecorded(r.Attempt, r.Record, r.Seq), () => _results.Write.Spectrum(_sweep, _trial, r.Attempt, r.Record)));
        Command<RecordOutcome>(r => Take(r, new OutcomeRecorded(r.Attempt, r.Outcome, r.Seq), () => _results.Write.Outcome(_sweep, _trial, r.Outcome, r.Attempt)));
    }

    public override string PersistenceId { get; }

    private void Take(IRecord report, IRecorderEvent journaled, Action writeTables)
    {
        var requester = Sender;
        if (_fence.Decide(report.Attempt) is FenceVerdict.Refuse refused)
        {
            Refuse(requester, refused);
            return;
        }

        var acknowledgement = new Recorded(_trial, report.Attempt, report.Seq);
        int last = _journaled.GetValueOrDefault(report.Attempt);
        if (report.Seq <= last)
        {
            // Upserts: the same rows again, unless the attempt has been superseded since.
            if (WroteTables(requester, report.Attempt, writeTables)) requester.Tell(acknowledgement, Self);
            return;
        }

        if (report.Seq != last + 1) return;
        Persist(journaled, _ =>
        {
            _journaled[report.Attempt] = report.Seq;
            _fence = _fence.Accepted(report.Attempt);
            if (WroteTables(requester, report.Attempt, writeTables)) requester.Tell(acknowledgement, Self);
        });
    }

    /// <summary>Writes the tables; false when the store refused because a newer attempt was assigned (the fence learns it).</summary>
    private bool WroteTables(IActorRef requester, int attempt, Action writeTables)
    {
        try
        {
            writeTables();
            return true;
        }
        catch (AttemptSupersededException e)
        {
            _fence = _fence.Assigned(e.Assigned);
            Refuse(requester, new FenceVerdict.Refuse(attempt, e.Assigned));
            return false;
        }
    }

    private void Refuse(IActorRef requester, FenceVerdict.Refuse refused)
    {
        if (_refusalsLogged.Add(refused.Attempt))
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: refused the reports of attempt {Attempt}, superseded by attempt {By}; nothing of it is stored",
                _trial, _sweep, refused.Attempt, refused.By);
        }

        requester.Tell(new Superseded(_trial, refused.Attempt, refused.By), Self);
    }
}
