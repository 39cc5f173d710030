using System.Diagnostics;
using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests;

/// <summary>A process standing still, seen through a clock the test moves.</summary>
public sealed class FreezeWatchTests
{
    private long _now = 1_000 * Stopwatch.Frequency;

    private void Advance(double seconds) => _now += (long)(seconds * Stopwatch.Frequency);

    private FreezeWatch Watch() => new(TimeSpan.FromSeconds(12), () => _now);

    [Fact]
    public void Regular_beats_and_short_pauses_are_no_freeze()
    {
        using var watch = Watch();
        for (int i = 0; i < 100; i++)
        {
            Advance(0.25);
            watch.Beat();
        }

        Advance(8); // a long GC pause, shorter than the downing time
        watch.Beat();
        Assert.Null(watch.StoodStillSince(0));
    }

    [Fact]
    public void A_process_that_woke_before_its_beat_ran_has_stood_still_for_the_whole_gap()
    {
        using var watch = Watch();
        long started = watch.Now;
        Advance(20);

        Assert.Equal(20, watch.StoodStillSince(started)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void A_freeze_the_beat_saw_concerns_work_begun_before_it_and_not_work_begun_after()
    {
        using var watch = Watch();
        long before = watch.Now;
        Advance(30);
        watch.Beat(); // the beat ran first after waking
        Advance(1);
        long after = watch.Now;
        for (int i = 0; i < 240; i++)
        {
            Advance(0.25);
            watch.Beat();
        }

        Assert.Equal(30, watch.StoodStillSince(before)!.Value.TotalSeconds, 6);
        Assert.Null(watch.StoodStillSince(after));
    }
}
