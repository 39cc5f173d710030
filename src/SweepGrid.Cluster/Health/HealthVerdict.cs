namespace SweepGrid.Cluster.Health;

/// <summary>
/// Judges a node's health file. Two questions, for two probes:
/// <list type="bullet">
/// <item>Live: is the process still working? Its actor system rewrites the file every few seconds, so a
/// fresh file means it is not wedged. A database outage must not fail this: restarting every pod during
/// an outage would throw away their running trials, which survive the outage otherwise.</item>
/// <item>Ready: is it a working member? Up in the cluster and its store answering.</item>
/// </list>
/// Pure, so that the rules are tested without a node.
/// </summary>
public static class HealthVerdict
{
    public sealed record Verdict(bool Healthy, string Reason);

    public static Verdict Judge(NodeHealth? health, DateTimeOffset now, TimeSpan maxAge, bool liveOnly)
    {
        if (health is null) return new(false, "no health file: the node is not running (or not yet started)");
        var age = now - health.CheckedAt;
        if (age > maxAge)
        {
            return new(false, $"node {health.Address}: last checked {age.TotalSeconds:F0} s ago (limit {maxAge.TotalSeconds:F0} s): the node is not responding");
        }

        if (liveOnly) return new(true, $"node {health.Address}: alive ({health.Member})");
        if (health.Member != "Up") return new(false, $"node {health.Address}: cluster member status {health.Member}, not Up");
        if (!health.StoreReachable) return new(false, $"node {health.Address}: store unreachable: {health.StoreError}");
        return new(true, $"node {health.Address}: Up, store reachable");
    }
}
