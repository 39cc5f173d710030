using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Output;

/// <summary>
/// What the live view shows, folded from the coordinator's progress messages: counts by status, the
/// running trials with their latest epoch, and an ETA. It starts from a <see cref="SweepProgress"/>
/// (counts, never a list of every trial: a sweep may have 100,000) and applies the per-trial deltas
/// that follow; a fresh <see cref="SweepProgress"/> (after a coordinator hand-over) replaces it all.
/// Pure and clock-free (the caller passes the elapsed time), so it is tested without a terminal.
/// Thread-safe: messages arrive on an actor thread while the view reads on its own.
/// </summary>
internal sealed class ProgressModel
{
    /// <summary>A running trial's latest numbers; Epoch is 0 until its first epoch ends.</summary>
    public sealed record Running(string TrialId, int Attempt, string Slot, int Epoch, int Epochs, double? TrainLoss, double? TestAccuracy);

    /// <summary>A consistent copy for one frame of the view.</summary>
    /// <param name="RunningCount">Trials running; <paramref name="Running"/> lists those this follower knows of.</param>
    public sealed record View(int Total, int Completed, int Diverged, int Failed, int RunningCount, IReadOnlyList<Running> Running, TimeSpan? Eta)
    {
        public int Settled => Completed + Diverged + Failed;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Running> _running = [];
    private TrialCounts _counts = TrialCounts.Zero;
    private long _totalEpochs, _settledEpochs;

    /// <summary>Epochs already done when this follower first heard of the sweep: not work it saw, so not in the ETA.</summary>
    private long? _doneAtStart;

    public void On(object message)
    {
        lock (_gate)
        {
            switch (message)
            {
                case SweepProgress p:
                    _counts = p.Counts;
                    (_totalEpochs, _settledEpochs) = (p.TotalEpochs, p.SettledEpochs);
                    _running.Clear();
                    foreach (var r in p.Running) _running[r.TrialId] = new Running(r.TrialId, r.Attempt, r.Slot, r.Epoch, r.Epochs, null, null);
                    _doneAtStart ??= EpochsDone();
                    break;
                case TrialStarted s:
                    _counts = _counts.Moved(TrialStatus.Pending, TrialStatus.Running);
                    _running[s.TrialId] = new Running(s.TrialId, s.Attempt, s.Slot, 0, s.Epochs, null, null);
                    break;
                case TrialEpoch e when _running.TryGetValue(e.TrialId, out var r) && r.Attempt == e.Attempt:
                    _running[e.TrialId] = r with { Epoch = e.Record.Epoch, TrainLoss = e.Record.TrainLoss, TestAccuracy = e.Record.TestAccuracy };
                    break;
                case TrialSettled s:
                    _counts = _counts.Moved(TrialStatus.Running, s.Status);
                    _running.Remove(s.TrialId);
                    if (s.Status is not TrialStatus.Pending) _settledEpochs += s.Epochs;
                    break;
            }
        }
    }

    private long EpochsDone() => _settledEpochs + _running.Values.Sum(r => (long)r.Epoch);

    /// <summary>
    /// The ETA extrapolates epochs, not trials, because a sweep mixes trials of very different
    /// lengths (regime adaptation multiplies epochs by B / B_base): remaining epochs × elapsed time per
    /// epoch done since this follower started. Null until an epoch has finished.
    /// </summary>
    public View Snapshot(TimeSpan elapsed)
    {
        lock (_gate)
        {
            long done = EpochsDone();
            long doneHere = done - (_doneAtStart ?? 0);
            TimeSpan? eta = doneHere <= 0 ? null : TimeSpan.FromSeconds(elapsed.TotalSeconds * Math.Max(0, _totalEpochs - done) / doneHere);
            return new View(_counts.Total, _counts.Completed, _counts.Diverged, _counts.Failed, _counts.Running,
                _running.Values.OrderBy(r => r.Slot, StringComparer.Ordinal).ToList(), eta);
        }
    }
}
