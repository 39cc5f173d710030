using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepGrid.Store;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Coordination.SweepDirectorProtocol;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// Event-sourced list of the sweeps this cluster runs, each with its own persistent coordinator as a
/// child. When the singleton moves to another node, the director recovers the list and recreates the
/// coordinators, which recover their own journals (and re-queue what was running: those slots belonged
/// to the previous incarnation). Slots ask the director for work; it forwards each request to the open
/// sweep whose turn it is by priority (<see cref="FairShare"/>), whose coordinator answers the slot directly. The one way a sweep is hosted: a
/// cluster's coordinator nodes and `run`'s one-node cluster run this same director and coordinators.
/// </summary>
internal sealed class SweepDirector : StoreWritingActor, IWithTimers
{
    private readonly ResultsStore _results;
    private readonly Func<SweepSpec, SweepDefinition> _define;
    private readonly int _maxFailures;
    private readonly bool _openAll;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<string> _sweeps = [];
    private readonly HashSet<string> _finished = [];

    /// <summary>Sweeps paused or cancelled, as their coordinators last said: no slot is sent to them.</summary>
    private readonly HashSet<string> _held = [];
    private readonly Dictionary<string, IActorRef> _coordinators = [];

    /// <summary>Each open sweep's running and pending trials, as its coordinator reports them: whose turn a free slot is (<see cref="FairShare"/>).</summary>
    private readonly SweepLoads _loads = new();

    /// <summary>
    /// Requests from free slots while no sweep has work, by slot: handed to the next sweep submitted, so
    /// its first trials start at once instead of at the slots' next periodic request (10 s later).
    /// </summary>
    private readonly Dictionary<string, (RequestWork Request, IActorRef Slot)> _parked = [];

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Ask a sweep's coordinator for its progress again (its last incarnation stopped).</summary>
    private sealed record Resubscribe(string SweepName);

    /// <summary>A submission checked against its data, off the director's thread; its definition or why not.</summary>
    private sealed record Checked(IActorRef Requester, SweepDefinition? Definition, SubmitRejected? Rejected, bool Follow = false);

    /// <param name="openAll">
    /// Open every registered sweep after recovery (a cluster, which carries on with all of them); false:
    /// only the sweeps submitted to this incarnation (`run` and `resume` run the sweep they name, not
    /// whatever else the store holds).
    /// </param>
    public SweepDirector(ResultsStore results, Func<SweepSpec, SweepDefinition> define, int maxFailures, bool openAll)
    {
        _results = results;
        _define = define;
        _maxFailures = maxFailures;
        _openAll = openAll;
        Recover<SweepRegistered>(e => _sweeps.Add(e.SweepName));
        Command<SubmitSweep>(HandleSubmit);
        Command<SubmitDefinition>(HandleSubmitDefinition);
        Command<Checked>(HandleChecked);
        Command<RequestWork>(HandleRequestWork);
        Command<SubscribeSweep>(HandleSubscribe);
        Command<ControlSweep>(HandleControl);
        Command<SweepFinished>(f =>
        {
            _finished.Add(f.Final.SweepName);
            _loads.Finished(f.Final.SweepName);
        });
        Command<SweepProgress>(s =>
        {
            // This coordinator incarnation has our subscription: watch it, to subscribe again if it stops.
            Timers.Cancel(s.SweepName);
            Context.Watch(Sender);
            _loads.Counted(s.SweepName, s.Priority, s.Count(TrialStatus.Running), s.Count(TrialStatus.Pending));
            if (s.Standing == SweepStanding.Open) _held.Remove(s.SweepName);
            else _held.Add(s.SweepName);
            // A sweep reopened by new trials: its recovered state may have announced a finish just before.
            if (s.Count(TrialStatus.Running) + s.Count(TrialStatus.Pending) > 0) _finished.Remove(s.SweepName);
            SendParked();
        });
        Command<TrialStarted>(t =>
        {
            if (SweepOf(Sender) is { } sweep) _loads.Started(sweep, t.Slot, t.TrialId);
        });
        Command<TrialSettled>(t =>
        {
            if (SweepOf(Sender) is not { } sweep) return;
            _loads.Ended(sweep, t.TrialId, requeued: t.Status == TrialStatus.Pending);
            if (t.Status == TrialStatus.Pending) SendParked();
        });
        Command<Terminated>(t => KeepSubscribing(t.ActorRef.Path.Parent.Name));
        Command<Resubscribe>(r => _coordinators[r.SweepName].Tell(new Subscribe(Self)));
        Command<ProgressEvent>(_ => { });
    }

    public override string PersistenceId => PersistenceIds.Director;

    protected override void OnReplaySuccess()
    {
        _results.EnsureSchema();
        if (!_openAll) return;
        foreach (var sweep in _sweeps) StartCoordinator(sweep);
        _log.Info("Sweep director up with {Count} sweep(s): {Sweeps}", _sweeps.Count, string.Join(", ", _sweeps));
    }

    /// <summary>
    /// Parsing the file, reading the dataset and expanding the grid take seconds for a large sweep: done
    /// on a task, so slots asking for work meanwhile are answered. Nothing is stored until the sweep has passed.
    /// </summary>
    private void HandleSubmit(SubmitSweep submit)
    {
        var requester = Sender;
        Task.Run(() =>
        {
            try
            {
                var spec = SweepFile.Parse(submit.Text, Names.Printable(submit.Source));
                if (submit.Priority is { } priority)
                {
                    // From the network: checked as the file's sweep.priority is.
                    if (SweepControl.SetPriority(priority).Malformed is { } malformed) return new Checked(requester, null, SubmitRejected.Of([malformed], badInput: true));
                    spec = spec with { Priority = priority };
                }

                return new Checked(requester, _define(spec), null, submit.Follow);
            }
            catch (SweepValidationException e)
            {
                return new Checked(requester, null, SubmitRejected.Of(e.Errors.Select(err => err.ToString()), badInput: true));
            }
            catch (Exception e)
            {
                _log.Error(e, "A sweep submitted as {Source} could not be checked", Names.Printable(submit.Source));
                return new Checked(requester, null, SubmitRejected.Of([$"sweep: could not be checked on the cluster ({e.GetBaseException().Message})"], badInput: false));
            }
        }).PipeTo(Self);
    }

    /// <summary>
    /// A sweep this process has checked itself (`run`, `resume`: the file and its data, read here). Taken
    /// only from this process: a definition from the network has not been checked by anyone this director
    /// trusts, and must come as its file (<see cref="SubmitSweep"/>).
    /// </summary>
    private void HandleSubmitDefinition(SubmitDefinition submit)
    {
        if (!Sender.Path.Address.HasLocalScope)
        {
            _log.Warning("Refused a sweep definition from {Sender}: only a sweep file is taken from another process", Sender.Path);
            Sender.Tell(SubmitRejected.Of(["sweep: a cluster takes a sweep's file (sweepgrid submit), not its definition"], badInput: true));
            return;
        }

        HandleChecked(new Checked(Sender, submit.Definition, null, submit.Follow));
    }

    private void HandleChecked(Checked result)
    {
        if (result.Definition is not { } definition)
        {
            result.Requester.Tell(result.Rejected!);
            return;
        }

        _results.Write.Sweep(definition.Spec);
        if (_coordinators.TryGetValue(definition.Name, out var known))
        {
            Resubmit(known, definition, result.Requester, result.Follow);
            return;
        }

        if (_sweeps.Contains(definition.Name))
        {
            // Registered by an earlier incarnation that opened only what it was given.
            Resubmit(StartCoordinator(definition.Name), definition, result.Requester, result.Follow);
            return;
        }

        Persist(new SweepRegistered(definition.Name), e =>
        {
            _sweeps.Add(e.SweepName);
            Resubmit(StartCoordinator(e.SweepName), definition, result.Requester, result.Follow);
        });
    }

    /// <summary>New trials may reopen a finished sweep; subscribing again brings its next SweepFinished.</summary>
    /// <param name="follow">
    /// Subscribe the requester too. Sent right after the definition, the subscription waits in the
    /// coordinator while it journals the sweep, and no slot has a trial of it before then: the requester
    /// gets the answer first, then every trial's start and end.
    /// </param>
    private void Resubmit(IActorRef coordinator, SweepDefinition definition, IActorRef requester, bool follow)
    {
        coordinator.Tell(new Define(definition), requester);
        _finished.Remove(definition.Name);
        if (follow) coordinator.Tell(new Subscribe(requester));
        // Answered once the definition is journaled, with the sweep's counts: then the waiting slots are sent (SendParked).
        coordinator.Tell(new Subscribe(Self));
    }

    /// <summary>
    /// A free slot goes to the open sweep that <see cref="FairShare"/> picks, or waits here while no sweep
    /// has a pending trial. A slot repeating a request that may wait at a sweep's coordinator (an idle
    /// slot asks again every 10 s) stays with that sweep while it is open: sent to a second one as well, it
    /// could be given two trials at once. A slot's first request after a trial waits nowhere.
    /// </summary>
    private void HandleRequestWork(RequestWork request)
    {
        // An idle slot asking again whose trial we saw start never got it (the assignment crossed its
        // request, or was lost): that sweep sends it again.
        if (request.Again && (_loads.SentTo(request.Slot) ?? _loads.RunningIn(request.Slot)) is { } held && TakesSlots(held))
        {
            _coordinators[held].Forward(request);
            return;
        }

        var last = _loads.RunningIn(request.Slot);
        _loads.Asked(request.Slot, repeated: request.Again);
        var sentTo = Send(request, Sender);
        if (sentTo is null) _parked[request.Slot] = (request, Sender);
        // The sweep of the slot's last trial does not see this request: tell it the slot has moved on, so
        // that a trial it still thinks runs there, unreported, is known lost (the slot restarted).
        if (last is not null && last != sentTo && IsOpen(last)) _coordinators[last].Tell(new SlotMovedOn(request.Slot, request.Reported));
    }

    /// <summary>Sends the request to the sweep whose turn it is, and names it; null when no open sweep has a pending trial.</summary>
    private string? Send(RequestWork request, IActorRef slot)
    {
        if (FairShare.Next(_loads.Of(_sweeps.Where(TakesSlots))) is not { } sweep) return null;
        _loads.Sent(request.Slot, sweep);
        _coordinators[sweep].Tell(request, slot);
        return sweep;
    }

    /// <summary>Trials became pending (a sweep submitted, a trial re-queued): the waiting slots go where they are due.</summary>
    private void SendParked()
    {
        foreach (var (slotId, (request, slot)) in _parked.ToList())
        {
            if (Send(request, slot) is null) return;
            _parked.Remove(slotId);
        }
    }

    /// <summary>Hosted here and not finished: its coordinator follows its slots (a paused sweep's trials may still be stopping).</summary>
    private bool IsOpen(string sweep) => _coordinators.ContainsKey(sweep) && !_finished.Contains(sweep);

    /// <summary>Open, and neither paused nor cancelled: free slots may go to it.</summary>
    private bool TakesSlots(string sweep) => IsOpen(sweep) && !_held.Contains(sweep);

    /// <summary>
    /// Pause, resume, cancel or priority: to the sweep's coordinator, which journals it and answers the
    /// requester. A malformed control from the network is refused here.
    /// </summary>
    private void HandleControl(ControlSweep control)
    {
        // Deserialized from the network: its fields may be missing.
        if (control.SweepName is null || !Names.IsSweepName(control.SweepName) || control.Control is null || control.Control.Malformed is not null)
        {
            Sender.Tell(new ControlRefused(Names.Printable(control.SweepName ?? ""), control.Control?.Malformed ?? "a control names one sweep and one of pause, resume, cancel, priority"));
            return;
        }

        if (_coordinators.TryGetValue(control.SweepName, out var coordinator)) coordinator.Forward(control);
        // A stored sweep this process does not run (a control against an embedded store): its coordinator recovers it to take the control.
        else if (_sweeps.Contains(control.SweepName)) StartCoordinator(control.SweepName).Forward(control);
        else Sender.Tell(new UnknownSweep(Names.Printable(control.SweepName), _sweeps.Take(MaxListedSweeps).ToList()));
    }

    /// <summary>The sweep whose coordinator sent a message: the coordinator runs under a supervisor named for it.</summary>
    private string? SweepOf(IActorRef coordinator) => _coordinators.Keys.FirstOrDefault(s => SupervisorName(s) == coordinator.Path.Parent.Name);

    private void HandleSubscribe(SubscribeSweep subscribe)
    {
        if (_coordinators.TryGetValue(subscribe.SweepName, out var coordinator)) coordinator.Tell(new Subscribe(subscribe.Subscriber));
        else subscribe.Subscriber.Tell(new UnknownSweep(subscribe.SweepName, _sweeps.Take(MaxListedSweeps).ToList()));
    }

    private IActorRef StartCoordinator(string sweep)
    {
        var coordinator = Context.ActorOf(SweepCoordinatorProtocol.Props(sweep, _results, _maxFailures), SupervisorName(sweep));
        _coordinators[sweep] = coordinator;
        coordinator.Tell(new Subscribe(Self));
        return coordinator;
    }

    private static string SupervisorName(string sweep) => $"sweep-{sweep}";

    /// <summary>
    /// A coordinator stopped (a journal write failed) and its supervisor starts another, which knows no
    /// subscribers: subscribe every 3 s until its progress arrives (one sent while none runs is lost).
    /// </summary>
    private void KeepSubscribing(string supervisorName)
    {
        var sweep = _coordinators.Keys.FirstOrDefault(s => SupervisorName(s) == supervisorName);
        if (sweep is not null) Timers.StartPeriodicTimer(sweep, new Resubscribe(sweep), TimeSpan.FromSeconds(3));
    }
}
