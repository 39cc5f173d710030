using SweepGrid.Core.Recording;

namespace SweepGrid.Core.Tests;

/// <summary>The fence on a trial's results, decided without actors or a store.</summary>
public sealed class AttemptFenceTests
{
    [Fact]
    public void Reports_of_the_current_attempt_and_of_newer_ones_are_accepted()
    {
        var fence = AttemptFence.Open;
        Assert.IsType<FenceVerdict.Accept>(fence.Decide(1));
        fence = fence.Accepted(1);
        Assert.IsType<FenceVerdict.Accept>(fence.Decide(1));
        Assert.IsType<FenceVerdict.Accept>(fence.Decide(2));
    }

    [Fact]
    public void Once_a_newer_attempt_reported_an_older_one_is_refused_with_both_numbers()
    {
        var fence = AttemptFence.Open.Accepted(2).Accepted(3);

        var refused = Assert.IsType<FenceVerdict.Refuse>(fence.Decide(2));

        Assert.Equal((2, 3), (refused.Attempt, refused.By));
        Assert.Equal("attempt 2 was superseded by attempt 3", refused.Reason);
        // A late replay of the older attempt's event does not lower the fence.
        Assert.Equal(fence, fence.Accepted(2));
    }

    [Fact]
    public void An_assignment_the_store_reports_fences_off_older_attempts_before_the_newer_one_reported_anything()
    {
        // The frozen node's recorder knew attempt 2 only; its write was refused because attempt 3 was assigned.
        var fence = AttemptFence.Open.Accepted(2).Assigned(3);

        Assert.Equal(3, fence.Current);
        Assert.Equal(3, Assert.IsType<FenceVerdict.Refuse>(fence.Decide(2)).By);
        Assert.IsType<FenceVerdict.Accept>(fence.Decide(3));
        Assert.Equal(fence, fence.Assigned(1));
    }
}
