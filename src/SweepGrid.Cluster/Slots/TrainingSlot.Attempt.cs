using Akka.Actor;
using Akka.Event;
using SweepGrid.Core.Checkpoints;
using SweepGrid.Core.Results;
using SweepGrid.Core.Slots;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Core.Workers;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Slots;

/// <summary>A training slot with an attempt: relaying its reports, storing its outcome, and what ends it (<see cref="TrainingSlot"/>).</summary>
internal sealed partial class TrainingSlot
{
    private void Training(TrialSpec trial, IActorRef recorder)
    {
        CountAs("busy");
        Receive<SlotWorker.FromWorker>(m => _worker.IsCurrent(m.Generation), m =>
        {
            if (!StoodStill(trial, recorder)) Relay(trial, recorder, m.Message);
        });
        Receive<SlotWorker.Gone>(IsCurrent, g => DiedUnder(trial, recorder, g));
        Receive<Recorded>(r => IsCurrent(trial, r), r =>
        {
            _outbox.Acknowledge(r.Seq, DateTime.UtcNow);
            // The worker leaves stored reports out of its next checkpoint (the recorder takes them in order).
            _worker.Send(new ReportsStored(trial.TrialId, _assignedAttempt, r.Seq));
        });
        Receive<TrainingSlotProtocol.Leave>(_ =>
        {
            _leaveRequester = Sender;
            _releaseReason = ReleaseReason;
            _log.Info("Trial {TrialId} of sweep {SweepId}: the node is shutting down; attempt {Attempt} stops after its current step, checkpointed",
                trial.TrialId, trial.SweepName, _assignedAttempt);
            _worker.Send(ReleaseTrial.Instance);
            Timers.StartSingleTimer(nameof(ReleaseDeadline), ReleaseDeadline.Instance, _shutdown.CheckpointWithin);
        });
        // Its sweep was paused or cancelled: the same stop as a shutdown's, and the slot stays.
        Receive<StopAttempt>(stop => stop.TrialId == trial.TrialId && stop.Attempt == _assignedAttempt && Sender.Equals(_assignedBy), stop =>
        {
            if (_releaseReason is not null) return; // already stopping
            _releaseReason = Names.Printable(stop.Reason ?? "its sweep was stopped");
            _log.Info("Trial {TrialId} of sweep {SweepId}: {Reason}; attempt {Attempt} stops after its current step, checkpointed",
                trial.TrialId, trial.SweepName, _releaseReason, _assignedAttempt);
            _worker.Send(ReleaseTrial.Instance);
            Timers.StartSingleTimer(nameof(ReleaseDeadline), ReleaseDeadline.Instance, _shutdown.CheckpointWithin);
        });
        Receive<ReleaseDeadline>(_ =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: it did not stop within {Seconds:F0} s of the request ({Reason}); stopped, it resumes from its last checkpoint",
                trial.TrialId, trial.SweepName, _shutdown.CheckpointWithin.TotalSeconds, _releaseReason);
            _worker.Kill();
            Release(trial, recorder, at: null, checkpointed: false);
        });
        Lifelines(trial, recorder);
        WorkerBackground();
    }

    /// <summary>What the worker says about the running attempt: reports to the recorder (epochs to the coordinator too), and its end.</summary>
    private void Relay(TrialSpec trial, IActorRef recorder, WorkerMessage message)
    {
        switch (message)
        {
            case TrialEpochDone e:
                _metrics.EpochSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(_lastEpochAt).TotalSeconds);
                _lastEpochAt = System.Diagnostics.Stopwatch.GetTimestamp();
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
                _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} resumes from its checkpoint after epoch {Epoch} and {Steps} steps of the next",
                    trial.TrialId, trial.SweepName, _assignedAttempt, r.Epoch, r.StepInEpoch);
                break;
            case TrialEnded e:
                _worker.TrialEnded();
                Record(recorder, seq => new RecordOutcome(_assignedAttempt, seq, e.Outcome));
                Become(() => AwaitingStorage(trial, e.Outcome, recorder));
                break;
            case TrialCrashed { StoreFull: true } full:
                // The slot stops the attempt when the news comes back to it, as every other slot of the node does.
                _worker.TrialEnded();
                Context.System.EventStream.Publish(new StoreOutOfSpace(full.Reason));
                break;
            case TrialCrashed c:
                _worker.TrialEnded(); // the trial threw; its worker is fine
                // One line where people look (the console, the store's reason); the stack to the log file only.
                _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed on {Slot}: {Reason}",
                    trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, c.Reason);
                _log.Info("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed with {Detail}", trial.TrialId, trial.SweepName, _assignedAttempt, c.Detail);
                Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, c.Reason));
                break;
            case TrialStopped s:
                Release(trial, recorder, (s.Epoch, s.StepInEpoch), s.Checkpointed);
                break;
        }
    }

    /// <summary>
    /// This process stood still past the cluster's downing time (<see cref="FreezeWatch"/>): it may wake up
    /// downed, with the trial given to another slot. Before anything the worker said meanwhile is relayed,
    /// the attempt stops: the worker is killed, nothing more is sent to the recorder, and no report goes
    /// to the coordinator (if the node is still a member, its next request re-queues the trial as interrupted).
    /// </summary>
    private bool StoodStill(TrialSpec trial, IActorRef recorder)
    {
        if (_freezes?.StoodStillSince(_attemptStartedAt) is not { } still) return false;
        _log.Warning("Trial {TrialId} of sweep {SweepId}: this node stood still for {Seconds:F0} s, longer than the cluster takes to down it; " +
                     "attempt {Attempt} on {Slot} stopped, nothing more of it is stored", trial.TrialId, trial.SweepName, still.TotalSeconds, _assignedAttempt, _slotId);
        _worker.Kill();
        Finish(recorder, report: null);
        return true;
    }

    /// <summary>How long a slot waits, after the store ran out of space, before it asks for work again.</summary>
    internal static readonly TimeSpan StoreFullPause = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The store ran out of space (<see cref="StoreOutOfSpace"/>: this trial's checkpoint, any recorder's
    /// journal or tables, a coordinator's journal): the store's fault, not the trial's. Every slot of the
    /// node stops its attempt and reports nothing (the coordinator re-queues it as interrupted when the slot
    /// next asks, or when it restarts); the trial resumes from its checkpoint. The slot waits before asking
    /// again, instead of burning attempts on a disk that is still full; `run` stops, saying why.
    /// </summary>
    private void StopForFullStore(TrialSpec trial, IActorRef recorder, string reason)
    {
        _log.Warning("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} on {Slot} stopped, the store is full ({Reason}); not the trial's failure",
            trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, reason);
        // A worker is replaced (a second of start-up) so that the slot can wait in a state that takes no work.
        _worker.Kill();
        Finish(recorder, report: null, restartAfter: StoreFullPause, why: "the store is full");
    }

    /// <summary>The worker died under the trial: its failure, or with the node shutting down, a hand-back (<see cref="WorkerHealth.Died"/>).</summary>
    private void DiedUnder(TrialSpec trial, IActorRef recorder, SlotWorker.Gone gone)
    {
        switch (_worker.Died(gone, WorkerPhase.UnderTrial, leaving: _leaveRequester is not null))
        {
            case WorkerVerdict.HandBack:
                Release(trial, recorder, at: null, checkpointed: false);
                break;
            case WorkerVerdict.Abandon abandon:
                _log.Warning("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} abandoned on {Slot}: {Reason}",
                    trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, abandon.Reason);
                Finish(recorder, report: null);
                break;
            case WorkerVerdict.ChargeTrial charge:
                _log.Error("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} failed on {Slot}: {Reason}",
                    trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, charge.Reason);
                Finish(recorder, new ReportFailed(trial.TrialId, _assignedAttempt, charge.Reason), restartAfter: charge.Pause);
                break;
        }
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
            // A node that stood still has not been waiting for its store: it stops before judging it.
            if (StoodStill(trial, recorder)) return;
            var now = DateTime.UtcNow;
            if (_outbox.Stalled(now) >= GiveUpStoringAfter)
            {
                _log.Error("Trial {TrialId} of sweep {SweepId}: its recorder stored nothing for {Minutes} min; attempt {Attempt} given up on {Slot}",
                    trial.TrialId, trial.SweepName, GiveUpStoringAfter.TotalMinutes, _assignedAttempt, _slotId);
                _worker.Kill();
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
            _worker.Kill();
            Finish(recorder, report: null);
        });
        Receive<StoreOutOfSpace>(full => StopForFullStore(trial, recorder, full.Reason));
        // The cluster gave the trial to another slot while this node was frozen: stop at once, report nothing.
        Receive<Superseded>(r => r.TrialId == trial.TrialId && r.Attempt == _assignedAttempt, r =>
        {
            _log.Warning("Trial {TrialId} of sweep {SweepId}: attempt {Attempt} on {Slot} was superseded by attempt {By}; stopped, nothing more of it is stored",
                trial.TrialId, trial.SweepName, _assignedAttempt, _slotId, r.By);
            _worker.Kill();
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
        Receive<SlotWorker.Gone>(IsCurrent, g =>
        {
            _worker.Died(g, WorkerPhase.AfterTrial, leaving: false);
            _log.Warning("Worker of {Slot} died after its trial ended: {Reason}", _slotId, WorkerExit.Describe(g.ExitCode, g.LastError));
        });
        Lifelines(trial, recorder);
        WorkerBackground();
    }

    /// <param name="restartAfter">Start a new worker after this pause (the old one is dead or was killed), instead of asking for work.</param>
    /// <param name="why">What the pause is for, when it is not that workers keep dying.</param>
    private void Finish(IActorRef recorder, object? report, TimeSpan? restartAfter = null, string? why = null)
    {
        Timers.Cancel(nameof(CheckOutbox));
        Timers.Cancel(nameof(ReleaseDeadline));
        Timers.Cancel(nameof(ResendRelease));
        _releaseReason = null;
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

        if (restartAfter is { } pause)
        {
            RestartAfter(pause, why);
        }
        else if (!_worker.Running)
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
