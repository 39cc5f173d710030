using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Output;

/// <summary>
/// What the live view shows, folded from the coordinator's progress messages: counts by status, the
/// running trials with their latest epoch, and an ETA. Pure and clock-free (the caller passes the
/// elapsed time), so it is tested without a terminal. Thread-safe: messages arrive on an actor
/// thread while the view reads on its own.
/// </summary>
internal sealed class ProgressModel(IReadOnlyDictionary<string, TrialSpec> trials)
{
    /// <summary>A running trial's latest numbers; Epoch is 0 until its first epoch ends.</summary>
    public sealed record Running(string TrialId, int Attempt, string Slot, int Epoch, int Epochs, double? TrainLoss, double? TestAccuracy);

    /// <summary>A consistent copy for one frame of the view.</summary>
    public sealed record View(int Total, int Completed, int Diverged, int Failed, IReadOnlyList<Running> Running, TimeSpan? Eta)
    {
        public int Settled => Completed + Diverged + Failed;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrialStatus> _status = trials.Keys.ToDictionary(t => t, _ => TrialStatus.Pending);
    private readonly Dictionary<string, Running> _running = [];
    private readonly Dictionary<string, int> _epochsDone = [];
    private HashSet<string> _alreadyFinished = [];

    public void On(object message)
    {
        lock (_gate)
        {
            switch (message)
            {
                case Snapshot snapshot:
                    foreach (var t in snapshot.Trials.Where(t => _status.ContainsKey(t.Spec.TrialId))) _status[t.Spec.TrialId] = t.Status;
                    // Trials settled before this run started are not work this run did: they stay out of the ETA.
                    _alreadyFinished = snapshot.Trials.Where(t => t.IsTerminal).Select(t => t.Spec.TrialId).ToHashSet();
                    break;
                case TrialStarted s:
                    _status[s.TrialId] = TrialStatus.Running;
                    _epochsDone[s.TrialId] = 0; // a retried trial restarts its epoch count
                    _running[s.TrialId] = new Running(s.TrialId, s.Attempt, s.Slot, 0, trials[s.TrialId].Epochs, null, null);
                    break;
                case TrialEpoch e when _running.TryGetValue(e.TrialId, out var r) && r.Attempt == e.Attempt:
                    _epochsDone[e.TrialId] = e.Record.Epoch;
                    _running[e.TrialId] = r with { Epoch = e.Record.Epoch, TrainLoss = e.Record.TrainLoss, TestAccuracy = e.Record.TestAccuracy };
                    break;
                case TrialSettled s:
                    _status[s.TrialId] = s.Status;
                    _running.Remove(s.TrialId);
                    if (s.Status is not TrialStatus.Pending) _epochsDone[s.TrialId] = trials[s.TrialId].Epochs;
                    break;
            }
        }
    }

    /// <summary>
    /// The ETA extrapolates epochs, not trials, because a sweep mixes trials of very different
    /// lengths (regime adaptation multiplies epochs by B / B_base): remaining epochs × elapsed time per
    /// epoch done in this run. Null until an epoch has finished.
    /// </summary>
    public View Snapshot(TimeSpan elapsed)
    {
        lock (_gate)
        {
            int Count(TrialStatus s) => _status.Values.Count(v => v == s);
            var toRun = trials.Keys.Where(t => !_alreadyFinished.Contains(t)).ToList();
            long total = toRun.Sum(t => (long)trials[t].Epochs);
            long done = toRun.Sum(t => (long)_epochsDone.GetValueOrDefault(t));
            TimeSpan? eta = done == 0 ? null : TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done);
            return new View(trials.Count, Count(TrialStatus.Completed), Count(TrialStatus.Diverged), Count(TrialStatus.Failed),
                _running.Values.OrderBy(r => r.Slot, StringComparer.Ordinal).ToList(), eta);
        }
    }
}
