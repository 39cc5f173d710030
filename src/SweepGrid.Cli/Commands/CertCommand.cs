using System.Security.Cryptography.X509Certificates;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Cli.Commands;

/// <summary>`sweepgrid cert create`: the cluster's certificate (<see cref="ClusterTls"/>).</summary>
internal static class CertCommand
{
    public const string PfxFile = "cluster.pfx", CrtFile = "cluster.crt";

    public static int Create(string outDirectory, int days, string name, bool force, TextWriter output)
    {
        if (days is < 1 or > 3650) throw new UserError($"--days: must be from 1 to 3650, got {days}");
        if (name.Length is 0 or > 64 || name.Any(c => char.IsControl(c) || c is ',' or '=' or '+' or '"' or '\\' or '<' or '>' or ';'))
        {
            throw new UserError($"--name: must be 1 to 64 characters without , = + \" \\ < > ; or control characters, got \"{Core.Sweeps.Names.Printable(name)}\"");
        }

        var pfx = Path.Combine(outDirectory, PfxFile);
        var crt = Path.Combine(outDirectory, CrtFile);
        foreach (var existing in new[] { pfx, crt }.Where(File.Exists))
        {
            if (!force) throw new UserError($"{existing}: exists; --force replaces it (and every member must then be given the new one)");
        }

        Directory.CreateDirectory(outDirectory);
        File.Delete(pfx); // so that the new key file is created with mode 600, whatever the old one's was
        using var certificate = ClusterTls.Create(name, days);
        var password = Environment.GetEnvironmentVariable(ClusterTls.PasswordVariable);
        // The key file is private from its first byte: created with mode 600, never widened.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(pfx, options))
        {
            file.Write(certificate.Export(X509ContentType.Pkcs12, password));
        }

        File.WriteAllText(crt, certificate.ExportCertificatePem() + "\n");
        var fingerprint = ClusterTls.Load(pfx, password).Fingerprint;
        output.WriteLine($"wrote {pfx} (certificate and private key; keep it secret) and {crt}");
        output.WriteLine($"SHA-256 fingerprint {fingerprint}, valid until {certificate.NotAfter:yyyy-MM-dd}");
        output.WriteLine("give every node and client the same cluster.pfx: --tls-cert FILE, or SWEEPGRID_TLS_CERT=FILE");
        return ExitCodes.Success;
    }
}
