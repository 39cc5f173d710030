using Akka.Actor;
using Akka.Event;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// A training slot on a node that shuts down, or whose sweep was paused or cancelled: its attempt is
/// handed back (checkpointed after its current step, its last reports stored) and re-queued (or
/// cancelled) without counting a failure; then, on a shutdown, it takes no more work.
/// </summary>
internal sealed partial class TrainingSlot
{
    /// <summary>
    /// The node is shutting down and this slot has handed back its trial (or had none). An assignment
    /// that still comes (its request was parked at the coordinator) is handed straight back.
    /// </summary>
    private void Gone()
    {
        CountAs(null);
        SetReceiveTimeout(null);
        Timers.Cancel(nameof(NoMoreWork));
        Receive<Assignment>(a => Sender.Tell(new ReportReleased(a.Trial.TrialId, a.Attempt, ReleaseReason)));
        Receive<TrainingSlotProtocol.Leave>(_ => Sender.Tell(new TrainingSlotProtocol.Left(null)));
        ReceiveAny(_ => { });
    }

    private void LeaveNow()
    {
        Timers.Cancel(nameof(StartWorker));
        _worker.Close();
        _leaveRequester!.Tell(new TrainingSlotProtocol.Left(_leaveNote));
        Become(Gone);
    }

    /// <summary>
    /// The attempt stopped for the shutdown. Its last reports are stored first (briefly waited for: the
    /// checkpoint carries them too), its recorder stops, so that it never races the next attempt's on
    /// the same journal, and then the coordinator re-queues the trial; the slot leaves once it has.
    /// </summary>
    /// <param name="at">Where it stopped: after this many epochs and steps of the next (0: at that epoch's end); null: killed before it could stop.</param>
    private void Release(TrialSpec trial, IActorRef recorder, (int Epoch, long StepInEpoch)? at, bool checkpointed)
    {
        Timers.Cancel(nameof(ReleaseDeadline));
        var note = $"trial {trial.TrialId} of sweep {trial.SweepName} (attempt {_assignedAttempt}) handed back " + (at is var (epoch, step)
            ? $"after epoch {epoch}" + (step > 0 ? $" and {step} steps of the next" : "") + (checkpointed ? ", checkpointed" : " (no checkpoint path)")
            : "unfinished; it resumes from its last checkpoint");
        _log.Info("{Note} ({Reason})", note, _releaseReason);
        if (_leaveRequester is not null) _leaveNote = note;
        if (_outbox.Count == 0)
        {
            HandBack(trial, recorder);
            return;
        }

        Timers.StartSingleTimer(nameof(DrainDeadline), DrainDeadline.Instance, DrainWithin);
        Become(() => Draining(trial, recorder));
    }

    /// <summary>Released, waiting (briefly) for the recorder to store the attempt's last reports.</summary>
    private void Draining(TrialSpec trial, IActorRef recorder)
    {
        Receive<Recorded>(r => IsCurrent(trial, r), r =>
        {
            if (_outbox.Acknowledge(r.Seq, DateTime.UtcNow)) HandBack(trial, recorder);
        });
        Receive<DrainDeadline>(_ => HandBack(trial, recorder));
        Lifelines(trial, recorder);
        WorkerBackground();
    }

    private void HandBack(TrialSpec trial, IActorRef recorder)
    {
        Timers.Cancel(nameof(DrainDeadline));
        Timers.Cancel(nameof(CheckOutbox));
        Context.Stop(recorder);
        var report = new ReportReleased(trial.TrialId, _assignedAttempt, _releaseReason ?? ReleaseReason);
        _assignedBy.Tell(report);
        Timers.StartPeriodicTimer(nameof(ResendRelease), new ResendRelease(report), ResendAfter);
        Become(() => HandingBack(trial, recorder));
    }

    /// <summary>Handed back; the release is sent again until the coordinator has journaled it.</summary>
    private void HandingBack(TrialSpec trial, IActorRef recorder)
    {
        Receive<ReleaseRecorded>(r => r.TrialId == trial.TrialId && r.Attempt == _assignedAttempt, _ => Finish(recorder, report: null));
        Receive<ResendRelease>(r => _assignedBy.Tell(r.Report));
        // Its successor re-queues the trial without counting it, as after any coordinator restart.
        Receive<Terminated>(t => t.ActorRef.Equals(_assignedBy), _ => Finish(recorder, report: null));
        WorkerBackground();
    }
}
