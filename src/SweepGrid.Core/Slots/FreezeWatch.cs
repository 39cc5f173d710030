using System.Diagnostics;

namespace SweepGrid.Core.Slots;

/// <summary>
/// Notices that this process stood still for longer than the cluster takes to down a silent member (a
/// long GC pause, a SIGSTOP, a frozen VM, a network partition that left it starved). Such a node may wake
/// up downed, its trials given to other slots; before it relays anything its workers said while it
/// stood still, a slot asks <see cref="StoodStill"/> and, if so, stops its attempt and stores nothing
/// more (the attempt fence refuses it anyway; this keeps the node from working for nothing, and it
/// stops the worker at once). A beat on a thread of its own measures the monotonic clock, which runs on
/// while the process is stopped; a beat late by more than the limit is a freeze, and so is no beat for
/// that long (the process woke and the beat has not run yet).
/// </summary>
public sealed class FreezeWatch : IDisposable
{
    private readonly long _limit;
    private readonly Func<long> _clock;
    private readonly CancellationTokenSource _stop = new();
    private long _lastBeat, _frozeUntil, _frozeFor;

    /// <param name="limit">How long this process may stand still before its node may have been downed.</param>
    /// <param name="clock">Monotonic ticks (Stopwatch's by default, whose frequency the limit is in).</param>
    /// <param name="beatEvery">How often the beat runs; null: only when <see cref="Beat"/> is called (tests).</param>
    public FreezeWatch(TimeSpan limit, Func<long>? clock = null, TimeSpan? beatEvery = null)
    {
        _clock = clock ?? Stopwatch.GetTimestamp;
        _limit = (long)(limit.TotalSeconds * Stopwatch.Frequency);
        _lastBeat = _clock();
        if (beatEvery is { } every) new Thread(() => BeatEvery(every)) { IsBackground = true, Name = "freeze watch" }.Start();
    }

    public TimeSpan Limit => Ticks(_limit);

    /// <summary>One beat: a gap since the last one longer than the limit is a freeze, remembered for a limit's time.</summary>
    public void Beat()
    {
        long now = _clock();
        long gap = now - Volatile.Read(ref _lastBeat);
        if (gap > _limit)
        {
            Volatile.Write(ref _frozeFor, gap);
            Volatile.Write(ref _frozeUntil, now);
        }

        Volatile.Write(ref _lastBeat, now);
    }

    /// <summary>The monotonic clock now: what <see cref="StoodStillSince"/> compares with.</summary>
    public long Now => _clock();

    /// <summary>
    /// How long this process stood still, if longer than the limit, in a freeze that ended after
    /// <paramref name="since"/> (<see cref="Now"/> when the work began) or is ending now; else null. A
    /// freeze before the work began is not the work's concern.
    /// </summary>
    public TimeSpan? StoodStillSince(long since)
    {
        long sinceBeat = _clock() - Volatile.Read(ref _lastBeat);
        if (sinceBeat > _limit) return Ticks(sinceBeat);
        return Volatile.Read(ref _frozeUntil) > since ? Ticks(Volatile.Read(ref _frozeFor)) : null;
    }

    public void Dispose() => _stop.Cancel();

    private void BeatEvery(TimeSpan every)
    {
        while (!_stop.Token.WaitHandle.WaitOne(every)) Beat();
    }

    private static TimeSpan Ticks(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
}
