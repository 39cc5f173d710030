using System.Net;
using Prometheus;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// A node's Prometheus endpoint (`node --metrics-port`): http://HOST:PORT/metrics, in Prometheus' text
/// format, from the node's own registry. Off by default; on loopback unless --metrics-host says
/// otherwise (0.0.0.0 in a pod, where the scraper comes from another address). Started before the
/// node joins, so a port that cannot be had is bad input and nothing else has happened.
/// </summary>
internal static class MetricsEndpoint
{
    /// <exception cref="UserError">The host is not an address, the port is out of range, or it cannot be listened on.</exception>
    public static IMetricServer? Start(string host, int? port, CollectorRegistry registry)
    {
        if (port is not { } p) return null;
        if (p is < 1 or > 65535) throw new UserError($"--metrics-port: must be from 1 to 65535, got {p}");
        bool any = host is "0.0.0.0" or "*" or "+";
        if (!any && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new UserError($"--metrics-host: must be an address to listen on (127.0.0.1, 0.0.0.0 for every interface), got \"{Core.Sweeps.Names.Printable(host)}\"");
        }

        var server = new MetricServer(any ? "+" : host, p, "metrics/", registry);
        try
        {
            return server.Start();
        }
        catch (HttpListenerException e)
        {
            server.Dispose();
            throw new UserError($"--metrics-port: cannot listen on {host}:{p} ({e.Message}): is another process using it?");
        }
    }
}
