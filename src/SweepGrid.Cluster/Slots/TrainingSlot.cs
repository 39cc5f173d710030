using Akka.Actor;
using Akka.Event;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Recording;
using SweepGrid.Store;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Checkpoints;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Core.Workers;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Pulls a trial from the coordinator, has its worker process train it (<see cref="IWorkerLauncher"/>:
/// a trial never runs in the node's process, so one that aborts natively, runs out of memory or
/// poisons its CUDA context takes down its own worker, not the node), and relays its progress: epochs
/// to the trial's recorder and the coordinator, then the outcome to the recorder and, once stored, to
/// the coordinator. A worker that dies under a trial is that trial's failure, with the cause of death
/// as its reason; the slot starts another worker, after a growing pause if they keep dying, so a broken
/// machine does not drain the queue. Everything the worker says arrives as messages to
/// <see cref="ActorBase.Self"/>, tagged with the worker's generation: a killed worker's last words are ignored.
/// </summary>
internal sealed class TrainingSlot : ReceiveActor, IWithTimers
{
    private readonly string _slotId;
    private readonly IActorRef _coordinator;
    private readonly ResultsStore _results;
    private readonly string _device;
    private readonly IWorkerLauncher _launcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ShutdownSettings _shutdown = ShutdownSettings.From(Context.System.Settings.Config);

    private IWorker? _worker;

    /// <summary>Numbers this slot's workers; messages from any but the current one are stale.</summary>
    private int _generation;

    /// <summary>Workers that died in a row (a trial that ended, however, resets it): how long to wait before the next.</summary>
    private int _deaths;

    /// <summary>Workers that died before they were ready, in a row.</summary>
    private int _failedStarts;

    /// <summary>A worker that cannot start this many times in a row will not: the slot goes out of service.</summary>
    public const int StartAttempts = 3;

    /// <summary>Who asked this slot to leave (the node agent, at shutdown); null while the node runs.</summary>
    private IActorRef? _leaveRequester;

    /// <summary>What the slot did with its trial on leaving, for the node's last lines.</summary>
    private string? _leaveNote;

    /// <summary>The attempt this slot last reported the end of: named in its requests, so that one overtaking the report is not read as a restart.</summary>
    private ReportedAttempt? _reported;

    /// <summary>The running attempt's reports its recorder has not acknowledged.</summary>
    private Outbox _outbox = new();

    /// <summary>The coordinator that assigned the running trial: its reports go there, not through the director.</summary>
    private IActorRef _assignedBy = ActorRefs.Nobody;

    private int _assignedAttempt;

    public ITimerScheduler Timers { get; set; } = null!;

    public TrainingSlot(string slotId, IActorRef coordinator, ResultsStore results, string device, IWorkerLauncher launcher)
    {
        _slotId = slotId;
        _coordinator = coordinator;
        _results = results;
        _device = device;
        _launcher = launcher;
        StartingWorker();
    }

    private sealed record FromWorker(int Generation, WorkerMessage Message);

    private sealed record WorkerGone(int Generation, int ExitCode, string? LastError);

    private sealed record WorkerLine(int Generation, string Line);

    private sealed record StartWorker
    {
        public static readonly StartWorker Instance = new();
    }

    private sealed record ReleaseDeadline
    {
        public static readonly ReleaseDeadline Instance = new();
    }

    private sealed record DrainDeadline
    {
        public static readonly DrainDeadline Instance = new();
    }

    private sealed record ResendRelease(ReportReleased Report);

    private sealed record CheckOutbox
    {
        public static readonly CheckOutbox Instance = new();
    }

    private sealed record AskSoon
    {
        public static readonly AskSoon Instance = new();
    }

    private const string ReleaseReason = "its node shut down";

    private static readonly TimeSpan AskAgain = TimeSpan.FromSeconds(10);

    /// <summary>After the sweep it worked for has finished (another may be open; the director parks the request if none is).</summary>
    private static readonly TimeSpan AskAfterNoMoreWork = TimeSpan.FromSeconds(1);

    /// <summary>Unacknowledged reports are sent again after this long without an acknowledgement.</summary>
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// With nothing acknowledged for this long the store is taken to be gone and the attempt fails
    /// (the trial is tried again elsewhere, from its checkpoint). Much longer than a database restart.
    /// </summary>
    private static readonly TimeSpan GiveUpStoringAfter = TimeSpan.FromMinutes(5);

    /// <summary>How long a released attempt waits for its recorder to store its last reports.</summary>
    private static readonly TimeSpan DrainWithin = TimeSpan.FromSeconds(10);

    /// <summary>The pause before the next worker after <paramref name="deaths"/> in a row: none, then 1 s doubling to a minute.</summary>
    public static TimeSpan Backoff(int deaths) =>
        deaths <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(deaths, 7) - 1)));

    protected override void PreStart() => LaunchWorker();

    protected override void PostStop()
    {
        // The node is stopping without having released (a cancelled run, a stopped actor system): end the trial with it.
        _worker?.Kill();
        _worker?.Dispose();
    }

    private void LaunchWorker()
    {
        int generation = ++_generation;
        var self = Self;
        _worker = _launcher.Start(_slotId, new WorkerEvents(
            message => self.Tell(new FromWorker(generation, message)),
            line => self.Tell(new WorkerLine(generation, line)),
            (code, lastError) => self.Tell(new WorkerGone(generation, code, lastError))));
    }

    /// <summary>Stops the current worker for good (its replacement, if any, is launched by the caller).</summary>
    private void KillWorker()
    {
        _worker?.Kill();
        _worker?.Dispose();
        _worker = null;
        _generation++; // whatever it still says is stale
    }

    /// <summary>
    /// Messages every state takes the same way: the worker's log lines (to the log file), stale messages
    /// of dead workers, and, where no state has said otherwise, a worker's death that no longer matters
    /// (its trial has been handed back).
    /// </summary>
    private void WorkerBackground()
    {
        Receive<WorkerLine>(l => _log.Info("Worker of {Slot}: {Line}", _slotId, l.Line));
        Receive<FromWorker>(m => m.Generation != _generation, _ => { });
        Receive<WorkerGone>(g => g.Generation != _generation, _ => { });
        Receive<WorkerGone>(_ => _worker = null);
    }

    /// <summary>Waiting for the worker to say it is ready; then the slot asks for work.</summary>
    private void StartingWorker()
    {
        Receive<FromWorker>(m => m.Generation == _generation && m.Message is WorkerReady, m =>
        {
            var ready = (WorkerReady)m.Message;
            _log.Info("Worker {Pid} of {Slot} ready after {Seconds:F2} s", ready.ProcessId, _slotId, ready.StartupSeconds);
            _failedStarts = 0;
            Become(Idle);
            AskForWork();
        });
        Receive<WorkerGone>(g => g.Generation == _generation, g =>
        {
            if (++_failedStarts < StartAttempts)
            {
                WorkerDiedIdle(g);
                return;
            }

            _worker = null;
            var reason = $"its worker process died {StartAttempts} times before it was ready: {WorkerExit.Describe(g.ExitCode, g.LastError)}";
            _log.Error("Slot {Slot} is out of service: {Reason}", _slotId, reason);
            Context.Parent.Tell(new TrainingSlotProtocol.OutOfService(_slotId, reason));
            Become(Gone);
        });
        Receive<StartWorker>(_ => LaunchWorker());
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            LeaveNow();
        });
        WorkerBackground();
    }

    /// <summary>A worker died with no trial on it: blame nobody, start another after the backoff.</summary>
    private void WorkerDiedIdle(WorkerGone gone)
    {
        _worker = null;
        _log.Warning("Worker of {Slot} died with no trial: {Reason}", _slotId, WorkerExit.Describe(gone.ExitCode, gone.LastError));
        RestartWorker();
    }

    private void RestartWorker()
    {
        _deaths++;
        var pause = Backoff(_deaths);
        if (pause > TimeSpan.Zero) _log.Warning("Slot {Slot}: {Deaths} worker(s) died in a row; the next starts in {Seconds:F0} s", _slotId, _deaths, pause.TotalSeconds);
        Become(StartingWorker);
        Timers.StartSingleTimer(nameof(StartWorker), StartWorker.Instance, pause);
    }

    private void AskForWork() => _coordinator.Tell(new RequestWork(_slotId, Reported: _reported));

    /// <summary>
    /// Waiting for work. A request can be lost (sent while the director moves to another node, or
    /// parked at a coordinator that then died), and a sweep may be submitted later: so an idle slot
    /// asks again every <see cref="AskAgain"/>, marked as a repeat so the coordinator re-sends an
    /// assignment that crossed it instead of counting a lost trial.
    /// </summary>
    private void Idle()
    {
        SetReceiveTimeout(AskAgain);
        // Only members presenting the cluster's certificate can send anything at all; what they send
        // is still checked: it must come from a coordinator, and its names become a checkpoint path.
        Receive<Assignment>(_ => !FromCoordinator(Sender), a => _log.Warning("Slot {Slot}: ignored an assignment of trial \"{TrialId}\" from {Sender}, which is not a sweep coordinator",
            _slotId, Names.Printable(a.Trial.TrialId), Sender.Path));
        Receive<Assignment>(a => !WellFormed(a), a => _log.Warning("Slot {Slot}: ignored a malformed assignment from {Sender} (sweep \"{SweepId}\", trial \"{TrialId}\", attempt {Attempt})",
            _slotId, Sender.Path, Names.Printable(a.Trial.SweepName), Names.Printable(a.Trial.TrialId), a.Attempt));
        Receive<Assignment>(Start);
        // The sweep it asked about is done: ask again soon, for the next sweep's work.
        Receive<NoMoreWork>(_ => Timers.StartSingleTimer(nameof(NoMoreWork), AskSoon.Instance, AskAfterNoMoreWork));
        Receive<AskSoon>(_ => _coordinator.Tell(new RequestWork(_slotId, Again: true, _reported)));
        Receive<ReceiveTimeout>(_ => _coordinator.Tell(new RequestWork(_slotId, Again: true, _reported)));
        Receive<WorkerGone>(g => g.Generation == _generation, g =>
        {
            SetReceiveTimeout(null);
            WorkerDiedIdle(g);
        });
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            LeaveNow();
        });
        WorkerBackground();
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

    private void LeaveNow()
    {
        Timers.Cancel(nameof(StartWorker));
        _worker?.Dispose(); // its input closes and it exits
        _worker = null;
        _leaveRequester!.Tell(new TrainingSlotProtocol.Left(_leaveNote));
        Become(Gone);
    }

    /// <summary>
    /// <see cref="AssignmentSource"/>'s rule, and in a cluster the sender's node must be a member with
    /// the coordinator role (where the director runs), not merely any member.
    /// </summary>
    private bool FromCoordinator(IActorRef sender)
    {
        if (!AssignmentSource.IsCoordinatorPath(sender.Path, _coordinator.Path)) return false;
        if (sender.Path.Address.HasLocalScope || Context.System is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider }) return true;
        return Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Any(m => m.Address == sender.Path.Address && m.HasRole(SweepGridNode.Roles.Coordinator));
    }

    private static bool WellFormed(Assignment a) => Names.IsSweepName(a.Trial.SweepName) && Names.IsTrialId(a.Trial.TrialId) && a.Attempt >= 1;

    private void Start(Assignment assignment)
    {
        SetReceiveTimeout(null);
        Timers.Cancel(nameof(NoMoreWork));
        var (trial, attempt) = (assignment.Trial, assignment.Attempt);
        _assignedBy = Sender;
        _assignedAttempt = attempt;
        Context.Watch(_assignedBy);
        var recorder = Context.ActorOf(TrialRecorderProtocol.Props(trial.SweepName, trial.TrialId, _results), $"recorder-{trial.TrialId}-{attempt}-{_generation}");
        _outbox = new Outbox();
        Timers.StartPeriodicTimer(nameof(CheckOutbox), CheckOutbox.Instance, TimeSpan.FromSeconds(1));
        var run = new RunTrial(trial, attempt, _device, _results.Files.Checkpoint(trial.SweepName, trial.TrialId), _results.Files.Weights(trial.SweepName, trial.TrialId));
        _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", trial.TrialId, trial.SweepName, attempt, _slotId);
        Become(() => Training(trial, recorder));
        if (_worker?.Send(run) != true) _log.Warning("Slot {Slot}: its worker took no trial; it is gone and will be reported so", _slotId);
    }

    private void Training(TrialSpec trial, IActorRef recorder)
    {
        Receive<FromWorker>(m => m.Generation == _generation, m =>
        {
            switch (m.Message)
            {
                case TrialEpochDone e:
                    Record(recorder, seq => new RecordEpoch(_assignedAttempt, seq, e.Record));
                    _assignedBy.Tell(new ReportEpoch(trial.TrialId, _assignedAttempt, e.Record));
                    break;
                case TrialPointsDone p:
                    Record(recorder, seq => new RecordPoints(_assignedAttempt, seq, p.Points));
                    break;
                case TrialFlatnessDone f:
                    Record(recorder, seq => new RecordFlatness(_assignedAttempt, seq, f.Record));
                    break;
                case TrialWalkDone w:
                    Record(recorder, seq => new RecordWalk(_assignedAttempt, seq, w.Record));
                    break;
                case TrialSpectrumDone h:
                    Record(recorder, seq => new RecordSpectrum(_assignedAttempt, seq, h.Record));
                    break;
                case TrialResumed r:
                    _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} resumes from its checkpoint after epoch {Epoch}",
                        trial.TrialId, trial.SweepName, _assignedAttempt, r.Epoch);
                    break;
                case TrialEnded e:
                    _deaths = 0;
                    Record(recorder, seq => new RecordOutcome(_assignedAttempt, seq, e.Outcome));
                    Become(() => AwaitingStorage(trial, e.Outcome, recorder));
                    break;
                case TrialCrashed c:
                    _deaths = 0; // the trial threw; its worker is fine
                    // One line where people look (the console, the store's reason); the stack to the log file only.
                    _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed on {Slot}: {Reason}",
                        trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, c.Reason);
                    _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed with {Detail}", trial.TrialId, trial.SweepName, _assignedAttempt, c.Detail);
                    Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, c.Reason));
                    break;
                case TrialStopped s:
                    Release(trial, recorder, s.Epoch, s.Checkpointed);
                    break;
            }
        });
        Receive<WorkerGone>(g => g.Generation == _generation, g => WorkerDiedUnder(trial, recorder, g));
        Receive<Recorded>(r => IsCurrent(trial, r), r =>
        {
            _outbox.Acknowledge(r.Seq, DateTime.UtcNow);
            // The worker leaves stored reports out of its next checkpoint (the recorder takes them in order).
            _worker?.Send(new ReportsStored(trial.TrialId, _assignedAttempt, r.Seq));
        });
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            _log.Info("Trial {TrialId} of sweep {SweepId}: the node is shutting down; attempt {Attempt} stops at the end of its epoch, checkpointed",
                trial.TrialId, trial.SweepName, _assignedAttempt);
            _worker?.Send(ReleaseTrial.Instance);
            Timers.StartSingleTimer(nameof(ReleaseDeadline), ReleaseDeadline.Instance, _shutdown.CheckpointWithin);
        });
        Receive<ReleaseDeadline>(_ =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: its epoch did not end within {Seconds:F0} s of the shutdown; stopped, it resumes from its last checkpoint",
                trial.TrialId, trial.SweepName, _shutdown.CheckpointWithin.TotalSeconds);
            KillWorker();
            Release(trial, recorder, epoch: null, checkpointed: false);
        });
        Lifelines(trial, recorder);
        WorkerBackground();
    }

    /// <summary>
    /// The worker died under the trial: a native abort, an out-of-memory kill, a CUDA fault. That is the
    /// trial's own failure, counted against max-failures, with the cause of death as its reason; unless
    /// the node is shutting down, when the worker's death is the shutdown's doing and the trial is
    /// handed back like any other.
    /// </summary>
    private void WorkerDiedUnder(TrialSpec trial, IActorRef recorder, WorkerGone gone)
    {
        _worker = null;
        if (_leaveRequester is not null)
        {
            Release(trial, recorder, epoch: null, checkpointed: false);
            return;
        }

        var reason = WorkerExit.Describe(gone.ExitCode, gone.LastError);
        _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} failed on {Slot}: {Reason}",
            trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, reason);
        Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, reason), workerDied: true);
    }

    /// <summary>
    /// The attempt stopped for the shutdown. Its last reports are stored first (briefly waited for: the
    /// checkpoint carries them too), its recorder stops, so that it never races the next attempt's on
    /// the same journal, and then the coordinator re-queues the trial; the slot leaves once it has.
    /// </summary>
    /// <param name="epoch">The epoch it was released after; null: stopped mid-epoch.</param>
    private void Release(TrialSpec trial, IActorRef recorder, int? epoch, bool checkpointed)
    {
        Timers.Cancel(nameof(ReleaseDeadline));
        _leaveNote = $"trial {trial.TrialId} of sweep {trial.SweepName} (attempt {_assignedAttempt}) handed back " + (epoch is { } e
            ? $"after epoch {e}" + (checkpointed ? ", checkpointed" : " (no checkpoint path)")
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
            WorkerBackground();
        });
    }

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
            WorkerBackground();
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
                KillWorker();
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
            KillWorker();
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
            CheckpointFile.Delete(_results.Files.Checkpoint(trial.SweepName, trial.TrialId));
            Finish(recorder, new ReportFinished(trial.TrialId, stored.Attempt, outcome.Status, outcome.Reason));
        });
        Receive<TrainingSlotProtocol.Leave>(_ => _leaveRequester = Sender);
        // Its trial is over; a worker that dies now is replaced, and nobody is blamed.
        Receive<WorkerGone>(g => g.Generation == _generation, g =>
        {
            _log.Warning("Worker of {Slot} died after its trial ended: {Reason}", _slotId, WorkerExit.Describe(g.ExitCode, g.LastError));
            _worker = null;
        });
        Lifelines(trial, recorder);
        WorkerBackground();
    }

    /// <param name="workerDied">The worker died under the trial: the next one starts after the backoff.</param>
    private void Finish(IActorRef recorder, object? report, bool workerDied = false)
    {
        Timers.Cancel(nameof(CheckOutbox));
        Timers.Cancel(nameof(ReleaseDeadline));
        Timers.Cancel(nameof(ResendRelease));
        Context.Stop(recorder);
        Context.Unwatch(_assignedBy);
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

        if (workerDied)
        {
            RestartWorker();
        }
        else if (_worker is null)
        {
            // Killed on purpose (its attempt was abandoned or given up), or died idle: a fresh one at once.
            Become(StartingWorker);
            LaunchWorker();
        }
        else
        {
            Become(Idle);
            AskForWork();
        }
    }
}
