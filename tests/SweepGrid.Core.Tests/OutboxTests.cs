using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests;

public sealed class OutboxTests
{
    private static readonly DateTime T0 = new(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Reports_are_numbered_from_one_and_acknowledged_cumulatively()
    {
        var outbox = new Outbox();
        var sent = Enumerable.Range(0, 4).Select(i => outbox.Add(seq => $"report {seq}", T0)).ToList();
        Assert.Equal(["report 1", "report 2", "report 3", "report 4"], sent);
        Assert.False(outbox.Acknowledge(2, T0));
        Assert.Equal(["report 3", "report 4"], outbox.Pending);
        Assert.True(outbox.Acknowledge(4, T0));
        Assert.Empty(outbox.Pending);
        Assert.Equal("report 5", outbox.Add(seq => $"report {seq}", T0));
    }

    [Fact]
    public void A_late_acknowledgement_of_what_is_already_acknowledged_changes_nothing()
    {
        var outbox = new Outbox();
        outbox.Add(seq => seq, T0);
        outbox.Add(seq => seq, T0);
        outbox.Acknowledge(1, T0.AddSeconds(1));
        Assert.False(outbox.Acknowledge(1, T0.AddSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(9), outbox.Stalled(T0.AddSeconds(10)));
    }

    [Fact]
    public void Resends_are_spaced_and_progress_restarts_the_stall_clock()
    {
        var outbox = new Outbox();
        var interval = TimeSpan.FromSeconds(3);
        Assert.False(outbox.ResendDue(T0, interval));
        outbox.Add(seq => seq, T0);
        outbox.Add(seq => seq, T0.AddSeconds(2));
        Assert.False(outbox.ResendDue(T0.AddSeconds(2), interval));
        Assert.True(outbox.ResendDue(T0.AddSeconds(3), interval));
        outbox.Resent(T0.AddSeconds(3));
        Assert.False(outbox.ResendDue(T0.AddSeconds(5), interval));
        Assert.Equal(TimeSpan.FromSeconds(5), outbox.Stalled(T0.AddSeconds(5)));
        outbox.Acknowledge(1, T0.AddSeconds(6));
        Assert.Equal(TimeSpan.FromSeconds(1), outbox.Stalled(T0.AddSeconds(7)));
        Assert.False(outbox.ResendDue(T0.AddSeconds(8), interval));
        Assert.True(outbox.ResendDue(T0.AddSeconds(9), interval));
    }

    [Fact]
    public void Nothing_pending_is_never_stalled()
    {
        var outbox = new Outbox();
        outbox.Add(seq => seq, T0);
        outbox.Acknowledge(1, T0);
        Assert.Equal(TimeSpan.Zero, outbox.Stalled(T0.AddHours(1)));
        Assert.False(outbox.ResendDue(T0.AddHours(1), TimeSpan.FromSeconds(3)));
    }
}
