using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Cluster.Tests;

/// <summary>The cluster certificate is checked when it is loaded, before any member starts with it.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(X509Certificate2 certificate, X509ContentType type, string? password = null)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(type, password));
        return path;
    }

    [Fact]
    public void A_new_certificate_loads_and_its_fingerprint_is_its_SHA256()
    {
        using var certificate = ClusterTls.Create("lab", days: 30);
        var tls = ClusterTls.Load(Save(certificate, X509ContentType.Pkcs12), password: null);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), tls.Fingerprint);
        Assert.True(tls.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_password_protected_file_needs_its_password()
    {
        using var certificate = ClusterTls.Create("lab", days: 30);
        var path = Save(certificate, X509ContentType.Pkcs12, "s3cret");

        Assert.Contains("wrong password in SWEEPGRID_TLS_PASSWORD", Assert.Throws<TlsSettingsException>(() => ClusterTls.Load(path, null)).Message);
        Assert.NotNull(ClusterTls.Load(path, "s3cret"));
    }

    [Fact]
    public void A_certificate_without_its_private_key_cannot_serve()
    {
        using var certificate = ClusterTls.Create("lab", days: 30);
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        var path = Save(publicOnly, X509ContentType.Pkcs12);

        Assert.Contains("holds no private key", Assert.Throws<TlsSettingsException>(() => ClusterTls.Load(path, null)).Message);
    }

    [Fact]
    public void An_expired_certificate_is_refused_with_its_dates()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=old", key, HashAlgorithmName.SHA256);
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        var path = Save(expired, X509ContentType.Pkcs12);

        var error = Assert.Throws<TlsSettingsException>(() => ClusterTls.Load(path, null));
        Assert.Contains("not now; make a new one with `sweepgrid cert create`", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.5.6.7", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.0.0.7", false)]
    [InlineData("sweepgrid-coordinator-0.sweepgrid", false)]
    public void Only_loopback_addresses_go_without_TLS(string host, bool loopback)
    {
        Assert.Equal(loopback, ClusterTls.IsLoopback(host));
    }
}
