using SweepGrid.Cluster.Health;

namespace SweepGrid.Cluster.Tests;

public sealed class HealthVerdictTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-health-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static NodeHealth Health(string member = "Up", string? storeError = null, double secondsAgo = 2) =>
        new("akka.tcp://sweepgrid@w-0.sweepgrid:4053", member, storeError is null, storeError, Now.AddSeconds(-secondsAgo));

    [Theory]
    [InlineData("Up", null, 2, false, true)]
    [InlineData("Joining", null, 2, false, false)]
    [InlineData("Leaving", null, 2, false, false)]
    [InlineData("Up", "connection refused", 2, false, false)]
    [InlineData("Up", null, 31, false, false)]
    // Liveness: a database outage or a node still joining is no reason to restart it; silence is.
    [InlineData("Up", "connection refused", 2, true, true)]
    [InlineData("Joining", null, 2, true, true)]
    [InlineData("Up", null, 31, true, false)]
    public void Ready_needs_Up_and_a_reachable_store_while_live_needs_only_a_fresh_file(string member, string? storeError, double age, bool live, bool healthy)
    {
        var verdict = HealthVerdict.Judge(Health(member, storeError, age), Now, MaxAge, live);
        Assert.Equal(healthy, verdict.Healthy);
        if (!healthy) Assert.Contains(age > 30 ? "not responding" : storeError ?? member, verdict.Reason);
    }

    [Fact]
    public void No_file_is_neither_live_nor_ready()
    {
        Assert.False(HealthVerdict.Judge(null, Now, MaxAge, liveOnly: true).Healthy);
        Assert.False(HealthVerdict.Judge(null, Now, MaxAge, liveOnly: false).Healthy);
    }

    [Fact]
    public void The_file_round_trips_and_a_damaged_one_is_reported_not_thrown_as_json()
    {
        var path = Path.Combine(_dir, "h.json");
        Assert.Null(NodeHealth.Read(path));
        var health = Health(storeError: "timeout");
        health.Write(path);
        Assert.Equal(health, NodeHealth.Read(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        File.WriteAllText(path, "{ not json");
        Assert.Contains("not a health file", Assert.Throws<InvalidDataException>(() => NodeHealth.Read(path)).Message);
    }
}
