using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// Mutual TLS between the members of one cluster (nodes and the `submit` clients that join it). Every
/// member presents the cluster's certificate and accepts a peer only if that peer presents the very
/// same certificate, compared by its SHA-256 hash (pinned), in both directions of every connection.
/// One certificate for the cluster, not a CA with a certificate per node, because: on Kubernetes every
/// pod of the cluster mounts the same Secret anyway; pinning one certificate needs no CA to run, no
/// host names in certificates (pod addresses change) and no trust store, and admits nothing else,
/// not even a certificate a public CA would vouch for; rotating it is replacing the Secret. What it
/// does not give is telling one member from another, which SweepGrid does not need: all members are
/// equally trusted, and everything they send is validated as data anyway.
/// </summary>
public sealed class ClusterTls
{
    private readonly byte[] _hash;

    private ClusterTls(X509Certificate2 certificate)
    {
        Certificate = certificate;
        _hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The certificate (with its private key) every member presents.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the certificate, hex: what peers must present, printed by `cert create` and in start-up lines.</summary>
    public string Fingerprint => Convert.ToHexStringLower(_hash);

    /// <summary>Reads a PKCS#12 file made by <see cref="Create"/> (or by openssl), checking that it can serve.</summary>
    /// <exception cref="TlsSettingsException">Missing, unreadable, without its private key, or not valid today.</exception>
    public static ClusterTls Load(string path, string? password)
    {
        if (!File.Exists(path)) throw new TlsSettingsException($"{path}: not found (make one with `sweepgrid cert create --out DIR`)");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new TlsSettingsException($"{path}: not a PKCS#12 certificate with its key, or the wrong password in {PasswordVariable} ({e.Message})");
        }

        if (!certificate.HasPrivateKey) throw new TlsSettingsException($"{path}: holds no private key; a member must be able to present it");
        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            // NotBefore and NotAfter are local times: "u" writes a Z, so they are converted first.
            throw new TlsSettingsException($"{path}: valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, " +
                                           "not now; make a new one with `sweepgrid cert create`");
        }

        return new ClusterTls(certificate);
    }

    /// <summary>The certificate file's password, when it has one (from a secret, never on a command line).</summary>
    public const string PasswordVariable = "SWEEPGRID_TLS_PASSWORD";

    /// <summary>The default of --tls-cert: on Kubernetes, the mounted Secret's file.</summary>
    public const string CertificateVariable = "SWEEPGRID_TLS_CERT";

    /// <summary>A new self-signed cluster certificate: ECDSA P-256, for <paramref name="days"/> days.</summary>
    public static X509Certificate2 Create(string clusterName, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={clusterName}, O=SweepGrid cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(days));
    }

    /// <summary>Both sides present the certificate; a peer is accepted if it presented this one, whatever else the chain says (it is self-signed).</summary>
    public Setup Setup => new DotNettySslSetup(Certificate, suppressValidation: false, requireMutualAuthentication: true, customValidator: IsOurs);

    /// <summary>Turns TLS on for DotNetty; the certificate and the validation come from <see cref="Setup"/>.</summary>
    public static Config Hocon => ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = true");

    private bool IsOurs(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        bool ours = certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), _hash);
        if (!ours) log.Warning("Refused a TLS peer {0}: it did not present the cluster's certificate ({1})", remotePeer, certificate?.Subject ?? "none");
        return ours;
    }

    /// <summary>Whether <paramref name="host"/> names this machine's loopback only (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}

/// <summary>The cluster's TLS settings cannot be used: bad input, not a fault.</summary>
public sealed class TlsSettingsException(string message) : Exception(message);
