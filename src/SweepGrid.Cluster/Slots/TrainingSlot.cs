using Akka.Actor;
using Akka.Event;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Recording;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
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
internal sealed class TrainingSlot : ReceiveActor, IWithTimers
{
    private readonly string _slotId;
    private readonly IActorRef _coordinator;
    private readonly ResultsStore _results;
    private readonly TrainerOptions _options;
    private readonly ITrialRunner _runner;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TrainingThread _thread;
    private readonly ShutdownSettings _shutdown = ShutdownSettings.From(Context.System.Settings.Config);
    private CancellationTokenSource? _training;

    /// <summary>Cancelled when the node shuts down: the trial stops at the end of its epoch, checkpointed.</summary>
    private CancellationTokenSource? _release;

    /// <summary>Who asked this slot to leave (the node agent, at shutdown); null while the node runs.</summary>
    private IActorRef? _leaveRequester;

    /// <summary>What the slot did with its trial on leaving, for the node's last lines.</summary>
    private string? _leaveNote;

    /// <summary>When this slot last asked for work (not counting repeats), for <see cref="TrialRun.RequestedAt"/>.</summary>
    private long _requestedAt;

    /// <summary>The attempt this slot last reported the end of: named in its requests, so that one overtaking the report is not read as a restart.</summary>
    private ReportedAttempt? _reported;

    /// <summary>
    /// Counts this slot's runs. Messages from the training thread carry theirs, and only the current
    /// run's are handled: an abandoned run (its coordinator died) may still report while it winds down.
    /// </summary>
    private int _run;

    /// <summary>The running attempt's reports its recorder has not acknowledged.</summary>
    private Outbox _outbox = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public TrainingSlot(string slotId, IActorRef coordinator, ResultsStore results, TrainerOptions options, ITrialRunner runner)
    {
        _slotId = slotId;
        _coordinator = coordinator;
        _results = results;
        _options = options;
        _runner = runner;
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

    /// <summary>The attempt stopped because it was asked to (released at an epoch's end, or cancelled).</summary>
    /// <param name="Epoch">The epoch it was released after, checkpointed if <paramref name="Checkpointed"/>; null: cancelled mid-epoch.</param>
    private sealed record TrainingStopped(int Run, int Attempt, int? Epoch, bool Checkpointed);

    private sealed record ReleaseDeadline
    {
        public static readonly ReleaseDeadline Instance = new();
    }

    private sealed record DrainDeadline
    {
        public static readonly DrainDeadline Instance = new();
    }

    private sealed record ResendRelease(ReportReleased Report);

    protected override void PreStart() => AskForWork();

    private void AskForWork()
    {
        _requestedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _coordinator.Tell(new RequestWork(_slotId, Reported: _reported));
    }

    protected override void PostStop()
    {
        _training?.Cancel();
        _release?.Dispose();
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
        // The sweep it asked about is done: ask again soon, for the next sweep's work.
        Receive<NoMoreWork>(_ => Timers.StartSingleTimer(nameof(NoMoreWork), AskSoon.Instance, AskAfterNoMoreWork));
        Receive<AskSoon>(_ => _coordinator.Tell(new RequestWork(_slotId, Again: true, _reported)));
        Receive<ReceiveTimeout>(_ => _coordinator.Tell(new RequestWork(_slotId, Again: true, _reported)));
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            LeaveNow();
        });
    }

    /// <summary>
    /// The node is shutting down and this slot has handed back its trial (or had none). An assignment
    /// that still comes (its request was parked at the coordinator) is handed straight back.
    /// </summary>
    private void Gone()
    {
        SetReceiveTimeout(null);
        Timers.Cancel(nameof(NoMoreWork));
        Receive<Assignment>(a => Sender.Tell(new ReportReleased(a.Trial.TrialId, a.Attempt, ReleaseReason)));
        Receive<TrainingSlotProtocol.Leave>(_ => Sender.Tell(new TrainingSlotProtocol.Left(null)));
        ReceiveAny(_ => { });
    }

    private const string ReleaseReason = "its node shut down";

    private void LeaveNow()
    {
        _leaveRequester!.Tell(new TrainingSlotProtocol.Left(_leaveNote));
        Become(Gone);
    }

    private static readonly TimeSpan AskAgain = TimeSpan.FromSeconds(10);

    /// <summary>After the sweep it worked for has finished (another may be open; the director parks the request if none is).</summary>
    private static readonly TimeSpan AskAfterNoMoreWork = TimeSpan.FromSeconds(1);

    private sealed record AskSoon
    {
        public static readonly AskSoon Instance = new();
    }

    /// <summary>Unacknowledged reports are sent again after this long without an acknowledgement.</summary>
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// With nothing acknowledged for this long the store is taken to be gone and the attempt fails
    /// (the trial is tried again elsewhere, from its checkpoint). Much longer than a database restart.
    /// </summary>
    private static readonly TimeSpan GiveUpStoringAfter = TimeSpan.FromMinutes(5);

    private sealed record CheckOutbox
    {
        public static readonly CheckOutbox Instance = new();
    }

    /// <summary>The coordinator that assigned the running trial: its reports go there, not through the director.</summary>
    private IActorRef _assignedBy = ActorRefs.Nobody;

    private int _assignedAttempt;

    private void Start(Assignment assignment)
    {
        SetReceiveTimeout(null);
        Timers.Cancel(nameof(NoMoreWork));
        var (trial, attempt) = (assignment.Trial, assignment.Attempt);
        _assignedBy = Sender;
        _assignedAttempt = attempt;
        Context.Watch(_assignedBy);
        int run = ++_run;
        var recorder = Context.ActorOf(TrialRecorderProtocol.Props(trial.SweepName, trial.TrialId, _results), $"recorder-{trial.TrialId}-{attempt}-{run}");
        _outbox = new Outbox();
        Timers.StartPeriodicTimer(nameof(CheckOutbox), CheckOutbox.Instance, TimeSpan.FromSeconds(1));
        _training = new CancellationTokenSource();
        _release = new CancellationTokenSource();
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
        var trialRun = new TrialRun(trial, observer, options, _requestedAt, token, _release.Token);
        _thread.Run(() => _runner.Run(trialRun))
            .ContinueWith(t => Ended(t, run, attempt), TaskScheduler.Default)
            .PipeTo(self);
        _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", trial.TrialId, trial.SweepName, attempt, _slotId);
        Become(() => Training(trial, recorder));
    }

    private static object Ended(Task<TrialOutcome> task, int run, int attempt) => task.Exception?.GetBaseException() switch
    {
        null when task.IsCompletedSuccessfully => new TrainingEnded(run, attempt, task.Result),
        TrialReleasedException released => new TrainingStopped(run, attempt, released.Epoch, released.Checkpointed),
        OperationCanceledException => new TrainingStopped(run, attempt, null, false),
        Exception e => new TrainingCrashed(run, attempt, e.Message, e.ToString()),
        null => new TrainingStopped(run, attempt, null, false), // a cancelled task carries no exception
    };

    private void Training(TrialSpec trial, IActorRef recorder)
    {
        Receive<EpochDone>(e => e.Run == _run, e =>
        {
            Record(recorder, seq => new RecordEpoch(e.Attempt, seq, e.Record));
            _assignedBy.Tell(new ReportEpoch(trial.TrialId, e.Attempt, e.Record));
        });
        Receive<PointsDone>(p => p.Run == _run, p => Record(recorder, seq => new RecordPoints(p.Attempt, seq, p.Points)));
        Receive<FlatnessDone>(f => f.Run == _run, f => Record(recorder, seq => new RecordFlatness(f.Attempt, seq, f.Record)));
        Receive<WalkDone>(w => w.Run == _run, w => Record(recorder, seq => new RecordWalk(w.Attempt, seq, w.Record)));
        Receive<Resumed>(r => r.Run == _run, r => _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} resumes from its checkpoint after epoch {Epoch}",
            trial.TrialId, trial.SweepName, r.Attempt, r.Epoch));
        Receive<Recorded>(r => IsCurrent(trial, r), r => { _outbox.Acknowledge(r.Seq, DateTime.UtcNow); });
        Receive<TrainingEnded>(e => e.Run == _run, e =>
        {
            Record(recorder, seq => new RecordOutcome(e.Attempt, seq, e.Outcome));
            Become(() => AwaitingStorage(trial, e.Outcome, recorder));
        });
        Receive<TrainingCrashed>(c => c.Run == _run, c =>
        {
            _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed on {Slot}: {Detail}",
                trial.TrialId, trial.SweepName, c.Attempt, _slotId, c.Detail);
            Finish(recorder, new ReportFailed(trial.TrialId, c.Attempt, c.Reason));
        });
        Receive<TrainingStopped>(s => s.Run == _run, s =>
        {
            if (_leaveRequester is not null) Release(trial, recorder, s);
            else Finish(recorder, new ReportFailed(trial.TrialId, s.Attempt, "the attempt was cancelled"));
        });
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            _log.Info("Trial {TrialId} of sweep {SweepId}: the node is shutting down; attempt {Attempt} stops at the end of its epoch, checkpointed",
                trial.TrialId, trial.SweepName, _assignedAttempt);
            _release?.Cancel();
            Timers.StartSingleTimer(nameof(ReleaseDeadline), ReleaseDeadline.Instance, _shutdown.CheckpointWithin);
        });
        Receive<ReleaseDeadline>(_ =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: its epoch did not end within {Seconds:F0} s of the shutdown; stopped, it resumes from its last checkpoint",
                trial.TrialId, trial.SweepName, _shutdown.CheckpointWithin.TotalSeconds);
            _training?.Cancel();
        });
        Lifelines(trial, recorder);
    }

    /// <summary>
    /// The attempt stopped for the shutdown. Its last reports are stored first (briefly waited for: the
    /// checkpoint carries them too), its recorder stops, so that it never races the next attempt's on
    /// the same journal, and then the coordinator re-queues the trial; the slot leaves once it has.
    /// </summary>
    private void Release(TrialSpec trial, IActorRef recorder, TrainingStopped stopped)
    {
        Timers.Cancel(nameof(ReleaseDeadline));
        _leaveNote = $"trial {trial.TrialId} of sweep {trial.SweepName} (attempt {stopped.Attempt}) handed back " + (stopped.Epoch is { } epoch
            ? $"after epoch {epoch}" + (stopped.Checkpointed ? ", checkpointed" : " (no checkpoint path)")
            : "mid-epoch; it resumes from its last periodic checkpoint");
        _log.Info("{Note}", _leaveNote);
        if (_outbox.Count == 0)
        {
            HandBack(trial, recorder);
            return;
        }

        Timers.StartSingleTimer(nameof(DrainDeadline), DrainDeadline.Instance, DrainWithin);
        Become(() =>
        {
            Receive<Recorded>(r => IsCurrent(trial, r), r =>
            {
                if (_outbox.Acknowledge(r.Seq, DateTime.UtcNow)) HandBack(trial, recorder);
            });
            Receive<DrainDeadline>(_ => HandBack(trial, recorder));
            Lifelines(trial, recorder);
        });
    }

    /// <summary>How long a released attempt waits for its recorder to store its last reports.</summary>
    private static readonly TimeSpan DrainWithin = TimeSpan.FromSeconds(10);

    private void HandBack(TrialSpec trial, IActorRef recorder)
    {
        Timers.Cancel(nameof(DrainDeadline));
        Timers.Cancel(nameof(CheckOutbox));
        Context.Stop(recorder);
        var report = new ReportReleased(trial.TrialId, _assignedAttempt, ReleaseReason);
        _assignedBy.Tell(report);
        Timers.StartPeriodicTimer(nameof(ResendRelease), new ResendRelease(report), ResendAfter);
        Become(() =>
        {
            Receive<ReleaseRecorded>(r => r.TrialId == trial.TrialId && r.Attempt == _assignedAttempt, _ => Finish(recorder, report: null));
            Receive<ResendRelease>(r => _assignedBy.Tell(r.Report));
            // Its successor re-queues the trial without counting it, as after any coordinator restart.
            Receive<Terminated>(t => t.ActorRef.Equals(_assignedBy), _ => Finish(recorder, report: null));
        });
    }

    private void Record<T>(IActorRef recorder, Func<int, T> report) where T : notnull =>
        recorder.Tell(_outbox.Add(report, DateTime.UtcNow));

    private bool IsCurrent(TrialSpec trial, Recorded r) => r.TrialId == trial.TrialId && r.Attempt == _assignedAttempt;

    /// <summary>
    /// The coordinator that assigned the attempt died (its node was downed, or a journal write failed and
    /// it was restarted; either way it re-queues the trial): stop training, since a second copy would race
    /// this one's recorder on the same journal entries, and ask for work; the trial resumes from its
    /// checkpoint wherever it is assigned next. Reports the recorder has not acknowledged are sent again;
    /// if it acknowledges nothing for <see cref="GiveUpStoringAfter"/>, the attempt fails.
    /// </summary>
    private void Lifelines(TrialSpec trial, IActorRef recorder)
    {
        Receive<CheckOutbox>(_ =>
        {
            var now = DateTime.UtcNow;
            if (_outbox.Stalled(now) >= GiveUpStoringAfter)
            {
                _log.Error("Trial {TrialId} of sweep {SweepId}: its recorder stored nothing for {Minutes} min; attempt {Attempt} given up on {Slot}",
                    trial.TrialId, trial.SweepName, GiveUpStoringAfter.TotalMinutes, _assignedAttempt, _slotId);
                _training?.Cancel();
                Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, $"its results could not be stored for {GiveUpStoringAfter.TotalMinutes} min"));
                return;
            }

            if (!_outbox.ResendDue(now, ResendAfter)) return;
            _log.Warning("Trial {TrialId} of sweep {SweepId}: {Count} report(s) not yet stored after {Seconds:F0} s; sending them again",
                trial.TrialId, trial.SweepName, _outbox.Count, _outbox.Stalled(now).TotalSeconds);
            foreach (var report in _outbox.Pending) recorder.Tell(report);
            _outbox.Resent(now);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_assignedBy), _ =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: its coordinator is gone; attempt abandoned on {Slot}", trial.TrialId, trial.SweepName, _slotId);
            _training?.Cancel();
            Finish(recorder, report: null);
        });
    }

    /// <summary>The outcome is the attempt's last report: once everything is acknowledged, it is stored.</summary>
    private void AwaitingStorage(TrialSpec trial, TrialOutcome outcome, IActorRef recorder)
    {
        Receive<Recorded>(r => IsCurrent(trial, r), stored =>
        {
            if (!_outbox.Acknowledge(stored.Seq, DateTime.UtcNow)) return;
            _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} {Status} after {Seconds:F1} s",
                trial.TrialId, trial.SweepName, stored.Attempt, outcome.Status, outcome.Seconds);
            // Only now, with the outcome stored, is the checkpoint no longer needed.
            SweepGrid.Training.Checkpoints.CheckpointFile.Delete(_results.CheckpointPath(trial.SweepName, trial.TrialId));
            Finish(recorder, new ReportFinished(trial.TrialId, stored.Attempt, outcome.Status, outcome.Reason));
        });
        Receive<TrainingSlotProtocol.Leave>(_ => _leaveRequester = Sender);
        Lifelines(trial, recorder);
    }

    private void Finish(IActorRef recorder, object? report)
    {
        Timers.Cancel(nameof(CheckOutbox));
        Timers.Cancel(nameof(ReleaseDeadline));
        Timers.Cancel(nameof(ResendRelease));
        Context.Stop(recorder);
        Context.Unwatch(_assignedBy);
        _training?.Dispose();
        _training = null;
        _release?.Dispose();
        _release = null;
        if (report is not null) _assignedBy.Tell(report);
        _reported = report switch
        {
            ReportFinished f => new ReportedAttempt(f.TrialId, f.Attempt),
            ReportFailed f => new ReportedAttempt(f.TrialId, f.Attempt),
            _ => null,
        };
        if (_leaveRequester is not null)
        {
            // Asked to leave while its trial was already ending: say how it ended.
            _leaveNote ??= report switch
            {
                ReportFinished f => $"trial {f.TrialId} (attempt {f.Attempt}) {f.Status.ToString().ToLowerInvariant()} before the node left",
                ReportFailed f => $"trial {f.TrialId} (attempt {f.Attempt}) failed before the node left: {f.Reason}",
                _ => null,
            };
            LeaveNow();
            return;
        }

        Become(Idle);
        AskForWork();
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
