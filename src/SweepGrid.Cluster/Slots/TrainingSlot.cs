using Akka.Actor;
using Akka.Event;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Recording;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Slots;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Core.Workers;
using SweepGrid.Store;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Pulls a trial from the coordinator, has its worker process train it (<see cref="SlotWorker"/>), and
/// relays its progress: epochs to the trial's recorder and the coordinator, then the outcome to the
/// recorder and, once stored, to the coordinator. What a worker's death means is decided by
/// <see cref="WorkerHealth"/>; when unacknowledged reports are sent again, or given up, by
/// <see cref="Outbox"/>. This actor only holds the conversation: its states are
/// <see cref="StartingWorker"/>, <see cref="Idle"/>, <see cref="Training"/>, <see cref="AwaitingStorage"/>,
/// and on the way out <see cref="Draining"/>, <see cref="HandingBack"/> and <see cref="Gone"/>.
/// </summary>
internal sealed partial class TrainingSlot : ReceiveActor, IWithTimers
{
    private readonly string _slotId;
    private readonly IActorRef _coordinator;
    private readonly ResultsStore _results;
    private readonly string _device;
    private readonly SlotWorker _worker;
    private readonly FreezeWatch? _freezes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ShutdownSettings _shutdown = ShutdownSettings.From(Context.System.Settings.Config);
    private readonly Metrics.NodeMetrics _metrics = Metrics.NodeMetrics.Of(Context.System);

    /// <summary>The slot's state as the node's metrics count it (sweepgrid_slots); null once it is gone.</summary>
    private string? _metricState;

    /// <summary>When the running attempt last reported an epoch, or started (sweepgrid_epoch_seconds).</summary>
    private long _lastEpochAt;

    private bool _launchedOnce;

    /// <summary>Who asked this slot to leave (the node agent, at shutdown); null while the node runs.</summary>
    private IActorRef? _leaveRequester;

    /// <summary>Why the running attempt is being handed back (its node shuts down, its sweep was paused or cancelled); null while it is not.</summary>
    private string? _releaseReason;

    /// <summary>What the slot did with its trial on leaving, for the node's last lines.</summary>
    private string? _leaveNote;

    /// <summary>The attempt this slot last reported the end of: named in its requests, so that one overtaking the report is not read as a restart.</summary>
    private ReportedAttempt? _reported;

    /// <summary>The running attempt's reports its recorder has not acknowledged.</summary>
    private Outbox _outbox = new();

    /// <summary>The coordinator that assigned the running trial: its reports go there, not through the director.</summary>
    private IActorRef _assignedBy = ActorRefs.Nobody;

    private int _assignedAttempt;

    /// <summary>When the running attempt started, on <see cref="FreezeWatch"/>'s clock: a freeze before it is not its concern.</summary>
    private long _attemptStartedAt;

    /// <summary>Recorders started so far: numbers their names (one of the same attempt may still be stopping).</summary>
    private int _recorders;

    public ITimerScheduler Timers { get; set; } = null!;

    public TrainingSlot(string slotId, IActorRef coordinator, ResultsStore results, string device, IWorkerLauncher launcher, FreezeWatch? freezes)
    {
        _freezes = freezes;
        _slotId = slotId;
        _coordinator = coordinator;
        _results = results;
        _device = device;
        _worker = new SlotWorker(slotId, launcher);
        StartingWorker();
    }

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

    /// <summary>
    /// Not a sign of life for the idle slot's receive timeout: every message resets it, and this one
    /// comes every second, so the slot would never ask for work again after a request that got lost.
    /// </summary>
    private sealed record TellWorkerAlive : INotInfluenceReceiveTimeout
    {
        public static readonly TellWorkerAlive Instance = new();
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

    protected override void PreStart()
    {
        LaunchWorker();
        Context.System.EventStream.Subscribe(Self, typeof(StoreOutOfSpace));
        // Its worker stops training on its own when these stop coming (the node frozen, or downed).
        Timers.StartPeriodicTimer(nameof(TellWorkerAlive), TellWorkerAlive.Instance, NodeAlive.Interval);
    }

    // The node is stopping without having released (a cancelled run, a stopped actor system): end the trial with it.
    protected override void PostStop()
    {
        CountAs(null);
        Context.System.EventStream.Unsubscribe(Self);
        _worker.Kill();
    }

    /// <summary>
    /// Messages every state takes the same way: the worker's log lines (to the log file), stale messages
    /// of replaced workers, and a death that no state has a rule for (its trial has been handed back).
    /// </summary>
    private void WorkerBackground()
    {
        Receive<SlotWorker.Line>(l => _log.Info("Worker of {Slot}: {Line}", _slotId, l.Text));
        Receive<TellWorkerAlive>(_ => _worker.Send(NodeAlive.Instance));
        Receive<SlotWorker.FromWorker>(m => !_worker.IsCurrent(m.Generation), _ => { });
        Receive<SlotWorker.Gone>(g => !_worker.IsCurrent(g.Generation), _ => { });
        Receive<SlotWorker.Gone>(_ => _worker.Lost());
        // Stops an attempt (Lifelines); with none running there is nothing to stop.
        Receive<StoreOutOfSpace>(_ => { });
        // For an attempt already stopping or ended (sent again with each epoch it reported).
        Receive<StopAttempt>(_ => { });
    }

    private bool IsCurrent(SlotWorker.Gone gone) => _worker.IsCurrent(gone.Generation);

    /// <summary>Starts a worker; every one after the first is a restart (sweepgrid_worker_restarts_total).</summary>
    private void LaunchWorker()
    {
        if (_launchedOnce) _metrics.WorkerRestarts.Inc();
        _launchedOnce = true;
        _worker.Launch(Self);
    }

    /// <summary>Called by each state as it begins: the node's count of slots by state follows.</summary>
    private void CountAs(string? state)
    {
        _metrics.SlotMoved(_metricState, state);
        _metricState = state;
    }

    /// <summary>Waiting for the worker to say it is ready; then the slot asks for work.</summary>
    private void StartingWorker()
    {
        CountAs("starting");
        Receive<SlotWorker.FromWorker>(m => _worker.IsCurrent(m.Generation) && m.Message is WorkerReady, m =>
        {
            var ready = (WorkerReady)m.Message;
            _log.Info("Worker {Pid} of {Slot} ready after {Seconds:F2} s", ready.ProcessId, _slotId, ready.StartupSeconds);
            _worker.Ready();
            Become(Idle);
            AskForWork();
        });
        Receive<SlotWorker.Gone>(IsCurrent, g =>
        {
            switch (_worker.Died(g, WorkerPhase.Starting, leaving: false))
            {
                case WorkerVerdict.OutOfService o:
                    _log.Error("Slot {Slot} is out of service: {Reason}", _slotId, o.Reason);
                    Context.Parent.Tell(new TrainingSlotProtocol.OutOfService(_slotId, o.Reason));
                    Become(Gone);
                    CountAs("out_of_service");
                    break;
                case WorkerVerdict.Restart r:
                    DiedIdle(g, r.Pause);
                    break;
            }
        });
        Receive<StartWorker>(_ => LaunchWorker());
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            LeaveNow();
        });
        WorkerBackground();
    }

    /// <summary>A worker died with no trial on it: nobody is blamed; another starts after the pause.</summary>
    private void DiedIdle(SlotWorker.Gone gone, TimeSpan pause)
    {
        _log.Warning("Worker of {Slot} died with no trial: {Reason}", _slotId, WorkerExit.Describe(gone.ExitCode, gone.LastError));
        RestartAfter(pause);
    }

    /// <param name="why">What the pause is for, when it is not that workers keep dying.</param>
    private void RestartAfter(TimeSpan pause, string? why = null)
    {
        if (pause > TimeSpan.Zero)
        {
            _log.Warning("Slot {Slot}: {Why}; the next worker starts in {Seconds:F0} s", _slotId,
                why ?? $"{_worker.Health.DeathsInRow} worker(s) died in a row", pause.TotalSeconds);
        }

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
        CountAs("idle");
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
        Receive<SlotWorker.Gone>(IsCurrent, g =>
        {
            SetReceiveTimeout(null);
            if (_worker.Died(g, WorkerPhase.Idle, leaving: false) is WorkerVerdict.Restart r) DiedIdle(g, r.Pause);
        });
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            LeaveNow();
        });
        WorkerBackground();
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
        _attemptStartedAt = _freezes?.Now ?? 0;
        _lastEpochAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Context.Watch(_assignedBy);
        var recorder = Context.ActorOf(TrialRecorderProtocol.Props(trial.SweepName, trial.TrialId, _results), $"recorder-{trial.TrialId}-{attempt}-{++_recorders}");
        _outbox = new Outbox();
        Timers.StartPeriodicTimer(nameof(CheckOutbox), CheckOutbox.Instance, TimeSpan.FromSeconds(1));
        var files = _results.Files;
        var run = new RunTrial(trial, attempt, _device, files.Checkpoint(trial.SweepName, trial.TrialId), files.Weights(trial.SweepName, trial.TrialId, attempt));
        _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", trial.TrialId, trial.SweepName, attempt, _slotId);
        Become(() => Training(trial, recorder));
        if (!_worker.Send(run)) _log.Warning("Slot {Slot}: its worker took no trial; it is gone and will be reported so", _slotId);
    }
}
