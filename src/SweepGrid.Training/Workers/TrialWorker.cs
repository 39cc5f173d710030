using SweepGrid.Core.Checkpoints;
using System.Collections.Concurrent;
using System.Diagnostics;
using SweepGrid.Core.Results;
using SweepGrid.Core.Workers;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Workers;

/// <summary>
/// The body of a worker process (`sweepgrid worker`): reads trials from its slot, runs them one after
/// another on the calling thread (one thread for the worker's life: see bench/results/memory-sweep.md
/// on glibc's arenas), and writes their progress and end back (<see cref="WorkerFrames"/>). A second
/// thread reads the slot's frames while a trial runs, so a release reaches the trial at once. When
/// the slot's end of the pipe closes (its node process died, however), <c>onSlotGone</c> runs: the
/// process exits at once, mid-step if need be, so no orphan trains on. A node that is alive but silent
/// (frozen: a long pause, a stopped VM) closes nothing; with <c>nodeSilence</c>, a worker that has read
/// no frame for that long (the node says <see cref="NodeAlive"/> every second) runs <c>onNodeSilent</c>
/// and stops too: by then the cluster has downed the node and given its trial to another slot.
/// </summary>
public sealed class TrialWorker(Stream fromSlot, Stream toSlot, ITrialRunner runner, Action onSlotGone, TimeSpan? nodeSilence = null, Action? onNodeSilent = null)
{
    private readonly BlockingCollection<Attempt> _attempts = new();

    /// <summary>When the last frame from the slot was read (Stopwatch ticks).</summary>
    private long _lastHeard = Stopwatch.GetTimestamp();

    /// <summary>The attempt last received, whose release token a release frame cancels.</summary>
    private volatile Attempt? _latest;

    private sealed record Attempt(RunTrial Run, CancellationTokenSource Release)
    {
        private int _stored;

        /// <summary>How many of its reports the slot says are stored (read by the training thread at a checkpoint).</summary>
        public int Stored => Volatile.Read(ref _stored);

        public void MarkStored(int count)
        {
            // Acknowledgements are cumulative and arrive in order; never move back in any case.
            int seen;
            while (count > (seen = Volatile.Read(ref _stored)) && Interlocked.CompareExchange(ref _stored, count, seen) != seen)
            {
            }
        }
    }

    /// <summary>Says it is ready, then runs trials until the slot closes its end. Returns when it has.</summary>
    public void Run(double startupSeconds)
    {
        WorkerFrames.Write(toSlot, new WorkerReady(Environment.ProcessId, startupSeconds));
        var reader = new Thread(ReadFromSlot) { IsBackground = true, Name = "worker input" };
        reader.Start();
        if (nodeSilence is { } limit) new Thread(() => WatchNode(limit)) { IsBackground = true, Name = "worker watchdog" }.Start();
        foreach (var attempt in _attempts.GetConsumingEnumerable())
        {
            WorkerFrames.Write(toSlot, RunOne(attempt));
            attempt.Release.Dispose();
        }
    }

    private void ReadFromSlot()
    {
        try
        {
            while (WorkerFrames.Read(fromSlot) is { } message)
            {
                Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());
                switch (message)
                {
                    case NodeAlive:
                        break;
                    case RunTrial run:
                        var attempt = new Attempt(run, new CancellationTokenSource());
                        _latest = attempt;
                        _attempts.Add(attempt);
                        break;
                    case ReleaseTrial:
                        try
                        {
                            _latest?.Release.Cancel();
                        }
                        catch (ObjectDisposedException)
                        {
                            // That trial has already ended.
                        }

                        break;
                    case ReportsStored stored:
                        if (_latest is { } current && current.Run.Trial.TrialId == stored.TrialId && current.Run.Attempt == stored.Attempt)
                        {
                            current.MarkStored(stored.Count);
                        }

                        break;
                    default:
                        throw new InvalidDataException($"a worker takes run, stored, alive and release frames, not {message.GetType().Name}");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"worker: the slot's frames are unreadable ({e.Message})");
        }

        _attempts.CompleteAdding();
        onSlotGone();
    }

    /// <summary>Stops the worker (<c>onNodeSilent</c>) once the slot has been silent for longer than <paramref name="limit"/>.</summary>
    private void WatchNode(TimeSpan limit)
    {
        while (true)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Clamp(limit.TotalMilliseconds / 10, 10, 1000)));
            var silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastHeard));
            if (silent <= limit) continue;
            Console.Error.WriteLine($"worker: its node has sent nothing for {silent.TotalSeconds:F0} s (frozen, or downed); it stops training and writes nothing more");
            (onNodeSilent ?? onSlotGone)();
            return;
        }
    }

    /// <summary>The attempt's last frame: how it ended. Its progress frames are written as it runs.</summary>
    private WorkerMessage RunOne(Attempt attempt)
    {
        var run = attempt.Run;
        // This attempt writes a checkpoint file of its own, and resumes from the newest attempt's it finds.
        var options = new TrainerOptions(Device: run.Device, FinalWeightsPath: run.FinalWeightsPath, StoredReports: () => attempt.Stored,
            CheckpointPath: run.CheckpointPath is { } trialPath ? CheckpointFile.ForAttempt(trialPath, run.Attempt) : null,
            EarlierCheckpoints: run.CheckpointPath is { } earlier ? CheckpointFile.EarlierAttempts(earlier, run.Attempt) : null);
        try
        {
            var outcome = runner.Run(new TrialRun(run.Trial, new FrameObserver(toSlot), options, CancellationToken.None, attempt.Release.Token));
            return new TrialEnded(outcome);
        }
        catch (TrialReleasedException released)
        {
            return new TrialStopped(released.Epoch, released.Checkpointed, released.StepInEpoch);
        }
        catch (Exception e)
        {
            var first = e.GetBaseException().Message.Split('\n', 2)[0].Trim();
            return new TrialCrashed(first.Length > 0 ? first : e.GetBaseException().GetType().Name, e.ToString(), StoreFull: Core.Files.DiskFull.Is(e));
        }
    }

    /// <summary>Each report of the trial, as a frame, from the training thread (the only writer).</summary>
    private sealed class FrameObserver(Stream toSlot) : ITrainingObserver
    {
        public void OnEpoch(EpochRecord record) => WorkerFrames.Write(toSlot, new TrialEpochDone(record));

        public void OnTrajectory(IReadOnlyList<TrajectoryPoint> points) => WorkerFrames.Write(toSlot, new TrialPointsDone(points));

        public void OnFlatness(FlatnessRecord record) => WorkerFrames.Write(toSlot, new TrialFlatnessDone(record));

        public void OnWalk(WalkRecord record) => WorkerFrames.Write(toSlot, new TrialWalkDone(record));

        public void OnSpectrum(SpectrumRecord record) => WorkerFrames.Write(toSlot, new TrialSpectrumDone(record));

        public void OnResumed(int epoch, long stepInEpoch) => WorkerFrames.Write(toSlot, new TrialResumed(epoch, stepInEpoch));

        /// <summary>On stderr, which the slot writes to its node's log: one line per file passed over.</summary>
        public void OnCheckpointRejected(string reason) => Console.Error.WriteLine($"worker: a checkpoint was not used, the trial starts from an older one or afresh: {reason}");
    }

    /// <summary>Seconds since this process started (what <see cref="WorkerReady"/> reports).</summary>
    public static double SecondsSinceProcessStart() => (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
}
