namespace SweepGrid.Core.Scheduling;

/// <summary>
/// The director's view of each open sweep's load, for <see cref="FairShare"/>: counts from each
/// coordinator's progress (a full count on subscription, then a delta per trial start and end), and the
/// slots it has sent to a sweep whose trial has not started yet (one per slot: a slot's new request
/// replaces its old one). A sent slot counts as running and takes one pending trial, so requests that
/// arrive together spread by the priorities instead of all going where the counts last pointed. A slot
/// that asks for work is free: the trial it ran has ended, although its coordinator's word of that end may
/// still be on its way, and counting it as running until then tilted every freed slot away from the sweep
/// whose trial had just ended (70 % of the starts for a priority that was due 75 %). The view may lag the
/// coordinators by the messages in flight; each full count corrects it.
/// </summary>
public sealed class SweepLoads
{
    private readonly Dictionary<string, (int Priority, int Running, int Pending)> _counts = [];
    private readonly Dictionary<string, string> _sentTo = [];

    /// <summary>The trial each slot was last seen to start, until the slot is free again or the trial ends.</summary>
    private readonly Dictionary<string, (string Sweep, string Trial)> _runningOn = [];

    /// <summary>A coordinator's full count (its answer to a subscription, after every restart).</summary>
    public void Counted(string sweep, int priority, int running, int pending) => _counts[sweep] = (priority, running, pending);

    /// <summary>A trial of the sweep started on the slot: one pending fewer, one running more; the slot is no longer waiting.</summary>
    public void Started(string sweep, string slot, string trial)
    {
        Adjust(sweep, running: +1, pending: -1);
        // A start that arrives after the slot has asked again must not cancel where its new request went.
        if (_sentTo.GetValueOrDefault(slot) == sweep) _sentTo.Remove(slot);
        _runningOn[slot] = (sweep, trial);
    }

    /// <summary>
    /// The slot asks for work, so it runs nothing: the trial it was last seen to start has ended. Unless
    /// <paramref name="repeated"/> (an idle slot asking again), its last request waits nowhere either: it
    /// was answered with a trial whose start may not have reached the director yet.
    /// </summary>
    public void Asked(string slot, bool repeated)
    {
        if (_runningOn.Remove(slot, out var last)) Adjust(last.Sweep, running: -1, pending: 0);
        if (!repeated) _sentTo.Remove(slot);
    }

    /// <summary>A trial of the sweep ended; <paramref name="requeued"/>: it is pending again (a retry, an interruption).</summary>
    public void Ended(string sweep, string trial, bool requeued)
    {
        // Not counted again if its slot has already asked for work.
        var slot = _runningOn.FirstOrDefault(kv => kv.Value == (sweep, trial)).Key;
        bool stillRunning = slot is not null && _runningOn.Remove(slot);
        Adjust(sweep, running: stillRunning ? -1 : 0, pending: requeued ? 1 : 0);
    }

    private void Adjust(string sweep, int running, int pending)
    {
        if (_counts.TryGetValue(sweep, out var c)) _counts[sweep] = (c.Priority, Math.Max(0, c.Running + running), Math.Max(0, c.Pending + pending));
    }

    /// <summary>The sweep has finished: nothing runs or waits, and no slot waits for it any longer.</summary>
    public void Finished(string sweep)
    {
        if (_counts.TryGetValue(sweep, out var c)) _counts[sweep] = (c.Priority, 0, 0);
        foreach (var slot in _sentTo.Where(kv => kv.Value == sweep).Select(kv => kv.Key).ToList()) _sentTo.Remove(slot);
        foreach (var slot in _runningOn.Where(kv => kv.Value.Sweep == sweep).Select(kv => kv.Key).ToList()) _runningOn.Remove(slot);
    }

    /// <summary>The slot's request went to the sweep.</summary>
    public void Sent(string slot, string sweep) => _sentTo[slot] = sweep;

    /// <summary>The sweep the slot's last request went to, while its trial has not started.</summary>
    public string? SentTo(string slot) => _sentTo.GetValueOrDefault(slot);

    /// <summary>The sweep whose trial the slot was last seen to start, until the slot asks for work after it or the trial ends.</summary>
    public string? RunningIn(string slot) => _runningOn.TryGetValue(slot, out var r) ? r.Sweep : null;

    /// <summary>The loads of <paramref name="open"/> (oldest first), with the slots sent to each counted in; a sweep not yet counted has no work yet.</summary>
    public IReadOnlyList<SweepLoad> Of(IEnumerable<string> open)
    {
        var sent = _sentTo.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return open.Select(sweep =>
        {
            var (priority, running, pending) = _counts.GetValueOrDefault(sweep, (1, 0, 0));
            int waiting = sent.GetValueOrDefault(sweep);
            return new SweepLoad(sweep, priority, running + waiting, pending - waiting);
        }).ToList();
    }
}
