using SweepGrid.Core.Logging;

namespace SweepGrid.Core.Tests;

public sealed class PeerThrottleTests
{
    private static readonly DateTime T0 = new(2026, 12, 4, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_host_is_said_once_per_quiet_period_whatever_port_it_comes_from()
    {
        var throttle = new PeerThrottle(TimeSpan.FromMinutes(1));

        Assert.True(throttle.Allow("[::ffff:127.0.0.1]:37944", T0));
        Assert.False(throttle.Allow("[::ffff:127.0.0.1]:37966", T0.AddSeconds(5)));
        Assert.False(throttle.Allow("[::ffff:127.0.0.1]:38000", T0.AddSeconds(59)));
        Assert.True(throttle.Allow("[::ffff:127.0.0.1]:38001", T0.AddSeconds(60)));
    }

    [Fact]
    public void Other_hosts_are_said_on_their_own()
    {
        var throttle = new PeerThrottle(TimeSpan.FromMinutes(1));

        Assert.True(throttle.Allow("10.0.0.5:4053", T0));
        Assert.True(throttle.Allow("10.0.0.6:4053", T0));
        Assert.False(throttle.Allow("10.0.0.5:5000", T0));
    }

    [Theory]
    [InlineData("[::ffff:127.0.0.1]:37944", "::ffff:127.0.0.1")]
    [InlineData("10.0.0.5:4053", "10.0.0.5")]
    [InlineData("sweepgrid-0.sweepgrid:4053", "sweepgrid-0.sweepgrid")]
    [InlineData("::1", "::1")]
    [InlineData("host", "host")]
    public void The_host_is_the_peer_without_its_port(string peer, string host) => Assert.Equal(host, PeerThrottle.HostOf(peer));

    [Fact]
    public void A_scan_of_many_hosts_is_remembered_only_up_to_the_bound()
    {
        var throttle = new PeerThrottle(TimeSpan.FromMinutes(1));
        for (int i = 0; i < PeerThrottle.MaxHosts + 10; i++) Assert.True(throttle.Allow($"10.1.{i / 256}.{i % 256}:1", T0.AddMilliseconds(i)));

        // The newest are still remembered; the oldest were let go and may be said again.
        Assert.False(throttle.Allow($"10.1.{(PeerThrottle.MaxHosts + 9) / 256}.{(PeerThrottle.MaxHosts + 9) % 256}:2", T0.AddSeconds(2)));
        Assert.True(throttle.Allow("10.1.0.0:2", T0.AddSeconds(2)));
    }
}
