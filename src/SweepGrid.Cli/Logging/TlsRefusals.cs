using Serilog.Events;
using SweepGrid.Core.Logging;

namespace SweepGrid.Cli.Logging;

/// <summary>
/// One line per refused peer host a minute, instead of what DotNetty writes for every refused connection:
/// the exception with a hex dump of the peer's bytes, a "handshake failed" error whose hints suggest
/// turning validation off (never the fix here: the peer lacks the cluster's certificate), and a warning.
/// A member with the wrong certificate retries every few seconds, so this was about ten lines a retry.
/// The lines kept: SweepGrid's own "Refused a TLS peer" (a peer with another certificate, from
/// ClusterTls), and "Refused a connection ... does not speak TLS" (a peer without TLS), each at most once
/// per host per <see cref="Quiet"/>.
/// </summary>
internal sealed class TlsRefusals
{
    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);

    private readonly PeerThrottle _plain = new(Quiet), _otherCertificate = new(Quiet);

    /// <summary>Whether the event is left out; a connection that did not speak TLS is said once a host here.</summary>
    public bool Exclude(LogEvent e)
    {
        var template = e.MessageTemplate.Text;
        if (template.StartsWith("TLS handshake failed on channel", StringComparison.Ordinal)
            || template.StartsWith("Rejected incoming connection from", StringComparison.Ordinal)) return true;
        if (template.StartsWith("Refused a TLS peer", StringComparison.Ordinal)) return !_otherCertificate.Allow(Text(e, "0"), DateTime.UtcNow);
        if (!template.StartsWith("Error caught channel", StringComparison.Ordinal) || !IsTls(e.Exception)) return false;
        if (e.Exception is { } plain && plain.GetType().Name == "NotSslRecordException" && _plain.Allow(Text(e, "1"), DateTime.UtcNow))
        {
            Serilog.Log.Warning("Refused a connection from {Peer}: it does not speak TLS (a SweepGrid process without the cluster's certificate, or not SweepGrid); " +
                                "more from that host are not logged for {Minutes} min", PeerThrottle.HostOf(Text(e, "1")), Quiet.TotalMinutes);
        }

        return true;
    }

    /// <summary>A handshake's failure: bytes that are not TLS, or a certificate the validation refused.</summary>
    private static bool IsTls(Exception? e) => e switch
    {
        null => false,
        System.Security.Authentication.AuthenticationException => true,
        AggregateException a => a.InnerExceptions.Any(IsTls),
        _ => e.GetType().Namespace == "DotNetty.Handlers.Tls" || IsTls(e.InnerException),
    };

    private static string Text(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: { } scalar } ? scalar.ToString() ?? "" : "";
}
