using System.CommandLine;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Cli.Commands;

/// <summary>The options of every command that joins a cluster (`node`, `submit`, `resume --seed`), declared once.</summary>
internal sealed class ClusterAccessOptions
{
    public Option<string?> TlsCert { get; } = new("--tls-cert")
    {
        Description = $"The cluster's certificate (PKCS#12, from `sweepgrid cert create`): remoting over mutual TLS, admitting only members " +
                      $"that present it. Default: ${ClusterTls.CertificateVariable}. Required off loopback unless --insecure. Its password, if any: ${ClusterTls.PasswordVariable}",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ClusterTls.CertificateVariable) is { Length: > 0 } path ? path : null,
    };

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Allow remoting on a non-loopback address without TLS: anyone who can reach the port can join the cluster, submit sweeps and send work",
    };

    public Option<int> JoinTimeout { get; } = new("--join-timeout") { Description = "Seconds to wait to become a member of the cluster", DefaultValueFactory = _ => 60 };

    public IEnumerable<Option> All => [TlsCert, Insecure, JoinTimeout];

    public ClusterAccess Read(ParseResult result) => new(result.GetValue(TlsCert), result.GetValue(Insecure), result.GetValue(JoinTimeout));
}

/// <summary>Where a control command goes: a cluster (--seed, as a client) or an embedded store (--store).</summary>
internal sealed class ControlTargetOptions
{
    private readonly Option<string> _store = CommonOptions.Store();
    private readonly Option<string[]> _seeds = CommonOptions.Seeds("A seed node HOST:PORT of the running cluster; none: the sweep in --store");
    private readonly Option<string> _host = CommonOptions.Host("With --seed: the address this client is reachable at");
    private readonly Option<int> _port = CommonOptions.ClientPort();
    private readonly ClusterAccessOptions _access = new();

    public IEnumerable<Option> All => [_store, _seeds, _host, _port, .. _access.All];

    public ControlCommand.Target Read(ParseResult result) =>
        new(result.GetValue(_store)!, result.GetValue(_seeds) ?? [], result.GetValue(_host)!, result.GetValue(_port), _access.Read(result));
}

internal sealed record ClusterAccess(string? TlsCert, bool Insecure, int JoinTimeoutSeconds = 60)
{
    public TimeSpan JoinTimeout => TimeSpan.FromSeconds(JoinTimeoutSeconds);

    /// <summary>
    /// The cluster's TLS, or null for plain TCP: only on loopback (where only this machine's processes
    /// can connect), or where the user said --insecure, in which case they are warned on
    /// <paramref name="error"/>. Everything is checked before anything starts.
    /// </summary>
    /// <param name="hosts">The addresses this member listens on and connects to, as given.</param>
    /// <exception cref="UserError">No certificate off loopback, or a certificate that cannot serve.</exception>
    public ClusterTls? Tls(IEnumerable<string> hosts, TextWriter error)
    {
        if (JoinTimeoutSeconds is < 1 or > 3600) throw new UserError($"--join-timeout: must be from 1 to 3600 seconds, got {JoinTimeoutSeconds}");
        if (TlsCert is { } path)
        {
            try
            {
                return ClusterTls.Load(path, Environment.GetEnvironmentVariable(ClusterTls.PasswordVariable));
            }
            catch (TlsSettingsException e)
            {
                throw new UserError($"--tls-cert: {e.Message}");
            }
        }

        var open = hosts.Where(h => !ClusterTls.IsLoopback(h)).Distinct().ToList();
        if (open.Count == 0) return null;
        if (!Insecure)
        {
            throw new UserError($"remoting on {string.Join(", ", open)} requires TLS: give --tls-cert FILE (make one with `sweepgrid cert create --out DIR`), " +
                                "or --insecure to run without it");
        }

        error.WriteLine($"warning: --insecure: remoting on {string.Join(", ", open)} without TLS; anyone who can reach the port can join this cluster, submit sweeps and send work");
        return null;
    }
}
