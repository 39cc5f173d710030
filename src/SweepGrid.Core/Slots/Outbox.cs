namespace SweepGrid.Core.Slots;

/// <summary>
/// An attempt's reports to its recorder that are not acknowledged yet, in order. Numbers them from 1;
/// an acknowledgement of n covers 1..n (the recorder takes them in order). The sender re-sends all of
/// them when the recorder has acknowledged nothing for a while (it, or its database, was down and
/// dropped them), and gives the attempt up when that lasts too long. Pure: the slot owns the clock.
/// </summary>
/// <remarks>
/// Why not Akka.Delivery's point-to-point ProducerController/ConsumerController, which numbers, resends
/// and deduplicates too: (1) deduplication must survive the recorder's restarts, so it is the journaled
/// sequence number per attempt in the recorder, not the ConsumerController's memory; (2) a store that
/// stays down must end the attempt after a bounded time (<see cref="Stalled"/>), where the
/// ProducerController resends for ever; (3) the acknowledgements also tell the worker which reports its
/// next checkpoint may leave out, and the recorder's refusal of a superseded attempt must reach the
/// slot: both are replies of our own protocol; (4) its demand-driven flow control would make the slot
/// buffer the worker's frames anyway. What remains is this small, tested class.
/// </remarks>
public sealed class Outbox
{
    private readonly List<(int Seq, object Report)> _pending = [];
    private DateTime _progressSince, _sentSince;
    private int _last;

    /// <summary>Reports sent and not acknowledged, oldest first.</summary>
    public IReadOnlyList<object> Pending => _pending.Select(p => p.Report).ToList();

    public int Count => _pending.Count;

    /// <summary>Numbers the next report, keeps it until acknowledged and returns it to be sent.</summary>
    public T Add<T>(Func<int, T> report, DateTime now) where T : notnull
    {
        var next = report(++_last);
        if (_pending.Count == 0) _progressSince = _sentSince = now;
        _pending.Add((_last, next));
        return next;
    }

    /// <summary>Reports 1..<paramref name="seq"/> are stored. Returns whether nothing is pending any more.</summary>
    public bool Acknowledge(int seq, DateTime now)
    {
        int before = _pending.Count;
        _pending.RemoveAll(p => p.Seq <= seq);
        if (_pending.Count < before) _progressSince = _sentSince = now; // the rest get a fresh wait
        return _pending.Count == 0;
    }

    /// <summary>How long the recorder has acknowledged nothing of what is pending; zero when nothing is.</summary>
    public TimeSpan Stalled(DateTime now) => _pending.Count == 0 ? TimeSpan.Zero : now - _progressSince;

    /// <summary>Whether what is pending should be sent again: nothing acknowledged or re-sent for <paramref name="interval"/>.</summary>
    public bool ResendDue(DateTime now, TimeSpan interval) => _pending.Count > 0 && now - _sentSince >= interval;

    /// <summary>Records that everything pending was sent again now.</summary>
    public void Resent(DateTime now) => _sentSince = now;
}
