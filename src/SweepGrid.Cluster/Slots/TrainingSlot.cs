using Akka.Actor;
using Akka.Event;
using SweepGrid.Cluster.Recording;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Data;
using SweepGrid.Training.Loop;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Pulls a trial from the coordinator, trains it on the slot's own <see cref="TrainingThread"/> (never
/// on the actor dispatcher: a trial blocks for minutes), and relays its progress: epochs to the trial's recorder
/// and the coordinator, then the outcome to the recorder and, once stored, to the coordinator.
/// The training thread talks to the actor only by messages to <see cref="ActorBase.Self"/>.
/// </summary>
internal sealed class TrainingSlot : ReceiveActor
{
    private readonly string _slotId;
    private readonly IActorRef _coordinator;
    private readonly ResultsStore _results;
    private readonly TrainerOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TrainingThread _thread;
    private CancellationTokenSource? _training;

    /// <summary>
    /// Counts this slot's runs. Messages from the training thread carry theirs, and only the current
    /// run's are handled: an abandoned run (its coordinator died) may still report while it winds down.
    /// </summary>
    private int _run;

    public TrainingSlot(string slotId, IActorRef coordinator, ResultsStore results, TrainerOptions options)
    {
        _slotId = slotId;
        _coordinator = coordinator;
        _results = results;
        _options = options;
        _thread = new TrainingThread($"train {slotId}");
        Idle();
    }

    private sealed record EpochDone(int Run, int Attempt, EpochRecord Record);

    private sealed record PointsDone(int Run, int Attempt, IReadOnlyList<TrajectoryPoint> Points);

    private sealed record FlatnessDone(int Run, int Attempt, FlatnessRecord Record);

    private sealed record WalkDone(int Run, int Attempt, WalkRecord Record);

    private sealed record Resumed(int Run, int Attempt, int Epoch);

    private sealed record TrainingEnded(int Run, int Attempt, TrialOutcome Outcome);

    /// <param name="Detail">The whole exception, stack included, for the log; <paramref name="Reason"/> is its message.</param>
    private sealed record TrainingCrashed(int Run, int Attempt, string Reason, string Detail);

    protected override void PreStart() => _coordinator.Tell(new RequestWork(_slotId));

    protected override void PostStop()
    {
        _training?.Cancel();
        _thread.Dispose();
    }

    /// <summary>
    /// Waiting for work. A request can be lost (sent while the director moves to another node, or
    /// parked at a coordinator that then died), and a sweep may be submitted later: so an idle slot
    /// asks again every <see cref="AskAgain"/>, marked as a repeat so the coordinator re-sends an
    /// assignment that crossed it instead of counting a lost trial.
    /// </summary>
    private void Idle()
    {
        SetReceiveTimeout(AskAgain);
        Receive<Assignment>(Start);
        Receive<NoMoreWork>(_ => { });
        Receive<ReceiveTimeout>(_ => _coordinator.Tell(new RequestWork(_slotId, Again: true)));
    }

    private static readonly TimeSpan AskAgain = TimeSpan.FromSeconds(10);

    /// <summary>The coordinator that assigned the running trial: its reports go there, not through the director.</summary>
    private IActorRef _assignedBy = ActorRefs.Nobody;

    private int _assignedAttempt;

    private void Start(Assignment assignment)
    {
        SetReceiveTimeout(null);
        var (trial, attempt) = (assignment.Trial, assignment.Attempt);
        _assignedBy = Sender;
        _assignedAttempt = attempt;
        Context.Watch(_assignedBy);
        int run = ++_run;
        var recorder = Context.ActorOf(TrialRecorderProtocol.Props(trial.SweepName, trial.TrialId, _results), $"recorder-{trial.TrialId}-{attempt}-{run}");
        Context.Watch(recorder);
        _training = new CancellationTokenSource();
        var token = _training.Token;
        var self = Self;
        var observer = new ForwardingObserver(
            record => self.Tell(new EpochDone(run, attempt, record)),
            points => self.Tell(new PointsDone(run, attempt, points)),
            record => self.Tell(new FlatnessDone(run, attempt, record)),
            record => self.Tell(new WalkDone(run, attempt, record)),
            epoch => self.Tell(new Resumed(run, attempt, epoch)));
        var options = _options with
        {
            FinalWeightsPath = _results.WeightsPath(trial.SweepName, trial.TrialId),
            CheckpointPath = _results.CheckpointPath(trial.SweepName, trial.TrialId),
        };
        _thread.Run(() => Trainer.Run(trial, Datasets.Load(trial.Dataset), observer, options, token))
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? (object)new TrainingEnded(run, attempt, t.Result)
                : new TrainingCrashed(run, attempt, t.Exception?.GetBaseException().Message ?? "cancelled", t.Exception?.GetBaseException().ToString() ?? "cancelled"),
                TaskScheduler.Default)
            .PipeTo(self);
        _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", trial.TrialId, trial.SweepName, attempt, _slotId);
        Become(() => Training(trial, recorder));
    }

    private void Training(TrialSpec trial, IActorRef recorder)
    {
        Receive<EpochDone>(e => e.Run == _run, e =>
        {
            recorder.Tell(new RecordEpoch(e.Attempt, e.Record));
            _assignedBy.Tell(new ReportEpoch(trial.TrialId, e.Attempt, e.Record));
        });
        Receive<PointsDone>(p => p.Run == _run, p => recorder.Tell(new RecordPoints(p.Attempt, p.Points)));
        Receive<FlatnessDone>(f => f.Run == _run, f => recorder.Tell(new RecordFlatness(f.Attempt, f.Record)));
        Receive<WalkDone>(w => w.Run == _run, w => recorder.Tell(new RecordWalk(w.Attempt, w.Record)));
        Receive<Resumed>(r => r.Run == _run, r => _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} resumes from its checkpoint after epoch {Epoch}",
            trial.TrialId, trial.SweepName, r.Attempt, r.Epoch));
        Receive<TrainingEnded>(e => e.Run == _run, e =>
        {
            recorder.Tell(new RecordOutcome(e.Attempt, e.Outcome));
            Become(() => AwaitingStorage(trial, e.Outcome, recorder));
        });
        Receive<TrainingCrashed>(c => c.Run == _run, c =>
        {
            _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed on {Slot}: {Detail}",
                trial.TrialId, trial.SweepName, c.Attempt, _slotId, c.Detail);
            Finish(recorder, new ReportFailed(trial.TrialId, c.Attempt, c.Reason));
        });
        Lifelines(trial, recorder);
    }

    /// <summary>
    /// The coordinator that assigned the attempt died (its node was downed; the next one re-queues the
    /// trial): stop training, since a second copy would race this one's recorder on the same journal
    /// entries, and ask for work; the trial resumes from its checkpoint wherever it is assigned next.
    /// The recorder died (a journal write failed): the attempt failed.
    /// </summary>
    private void Lifelines(TrialSpec trial, IActorRef recorder)
    {
        Receive<Terminated>(t => t.ActorRef.Equals(_assignedBy), _ =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: its coordinator is gone; attempt abandoned on {Slot}", trial.TrialId, trial.SweepName, _slotId);
            _training?.Cancel();
            Context.Unwatch(recorder);
            Finish(recorder, report: null);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(recorder), _ =>
        {
            _training?.Cancel();
            Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, "its recorder stopped (a journal write failed)"));
        });
    }

    private void AwaitingStorage(TrialSpec trial, TrialOutcome outcome, IActorRef recorder)
    {
        Receive<OutcomeStored>(stored =>
        {
            _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} {Status} after {Seconds:F1} s",
                trial.TrialId, trial.SweepName, stored.Attempt, outcome.Status, outcome.Seconds);
            // Only now, with the outcome stored, is the checkpoint no longer needed.
            SweepGrid.Training.Checkpoints.CheckpointFile.Delete(_results.CheckpointPath(trial.SweepName, trial.TrialId));
            Finish(recorder, new ReportFinished(trial.TrialId, stored.Attempt, outcome.Status, outcome.Reason));
        });
        Lifelines(trial, recorder);
    }

    private void Finish(IActorRef recorder, object? report)
    {
        Context.Unwatch(recorder);
        Context.Stop(recorder);
        Context.Unwatch(_assignedBy);
        _training?.Dispose();
        _training = null;
        if (report is not null) _assignedBy.Tell(report);
        Become(Idle);
        _coordinator.Tell(new RequestWork(_slotId));
    }

    private sealed class ForwardingObserver(
        Action<EpochRecord> onEpoch, Action<IReadOnlyList<TrajectoryPoint>> onPoints, Action<FlatnessRecord> onFlatness,
        Action<WalkRecord> onWalk, Action<int> onResumed) : ITrainingObserver
    {
        public void OnResumed(int epoch) => onResumed(epoch);

        public void OnWalk(WalkRecord record) => onWalk(record);

        public void OnEpoch(EpochRecord record) => onEpoch(record);

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points) => onPoints(points);

        public void OnFlatness(FlatnessRecord record) => onFlatness(record);
    }
}
