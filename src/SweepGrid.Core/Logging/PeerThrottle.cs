namespace SweepGrid.Core.Logging;

/// <summary>
/// At most one line per peer host per <see cref="Quiet"/>: a peer that keeps knocking (a member with the
/// wrong certificate retries every few seconds, a scanner every connection) is said once, not flooded
/// into the log. Keyed by host, not host:port, since every retry comes from a new port. Thread-safe;
/// the clock is an argument, so the rule is tested without waiting.
/// </summary>
public sealed class PeerThrottle(TimeSpan quiet)
{
    /// <summary>Hosts remembered at most; past it the oldest are forgotten (a scan of many addresses cannot grow it).</summary>
    public const int MaxHosts = 1024;

    private readonly Dictionary<string, DateTime> _last = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public TimeSpan Quiet { get; } = quiet;

    /// <summary>Whether a line about <paramref name="peer"/> (host:port, [v6]:port or a host) may be written at <paramref name="now"/>.</summary>
    public bool Allow(string peer, DateTime now)
    {
        var host = HostOf(peer);
        lock (_gate)
        {
            if (_last.TryGetValue(host, out var last) && now - last < Quiet) return false;
            if (_last.Count >= MaxHosts)
            {
                foreach (var stale in _last.OrderBy(e => e.Value).Take(_last.Count - MaxHosts + 1).Select(e => e.Key).ToList()) _last.Remove(stale);
            }

            _last[host] = now;
            return true;
        }
    }

    /// <summary>"[::ffff:127.0.0.1]:37944" → "::ffff:127.0.0.1"; "10.0.0.5:4053" → "10.0.0.5"; anything else as it is.</summary>
    public static string HostOf(string peer)
    {
        if (peer.StartsWith('[') && peer.IndexOf(']') is > 0 and var close) return peer[1..close];
        int colon = peer.LastIndexOf(':');
        return colon > 0 && peer.IndexOf(':') == colon ? peer[..colon] : peer;
    }
}
