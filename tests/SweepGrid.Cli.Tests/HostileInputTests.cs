using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Cli.Tests;

/// <summary>
/// Input that is wrong on purpose or by accident, through the real commands: each is refused with exit
/// code 2 and a line that says what is wrong, and nothing is written where it should not be.
/// </summary>
public sealed class HostileInputTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    private string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Synthetic = """
        sweep {
          name = hostile
          dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
          model { hidden = [4] }
          base { batch-size = 16, learning-rate = 0.05, epochs = 1 }
          grid { seed = [1, 2] }
        }
        """;

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task A_truncated_dataset_file_is_one_line_naming_the_file_and_nothing_is_stored()
    {
        var data = Directory.CreateDirectory(Path.Combine(Dir, "fmnist")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestMachine.RepoRoot(), "data", "fashion-mnist"), "*.gz"))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }

        var images = Path.Combine(data, "t10k-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var sweep = Write("f.hocon", $"sweep {{ name = cut, dataset {{ name = fashion-mnist, path = \"{data}\" }} }}");

        var result = await CliRunner.Run("run", sweep, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Contains("sweep.dataset.path", line, StringComparison.Ordinal);
        Assert.Contains("t10k-images-idx3-ubyte.gz", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("summary")]
    [InlineData("export")]
    [InlineData("report")]
    public async Task A_command_that_reads_refuses_another_programs_database_and_leaves_it_as_it_was(string command)
    {
        Directory.CreateDirectory(Store);
        var db = Path.Combine(Store, "results.db");
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts (owner) VALUES ('someone');";
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var before = Hash(db);
        string[] args = command switch
        {
            "status" => ["status", "--store", Store],
            "summary" => ["summary", "any", "--store", Store],
            "export" => ["export", "any", "--store", Store, "--out", Path.Combine(Dir, "out")],
            _ => ["report", "any", "--store", Store, "--out", Path.Combine(Dir, "report.html")],
        };

        var result = await CliRunner.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a SweepGrid store (it has no table sweeps); nothing was changed", result.Error, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Hash(db));
        Assert.Equal(["results.db"], Directory.GetFileSystemEntries(Store).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(Dir, "out")));
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("export")]
    [InlineData("report")]
    public async Task A_cell_of_the_wrong_type_in_the_store_is_one_line_naming_table_and_column(string command)
    {
        CliRunner.AssertRan(await CliRunner.Run("run", Write("s.hocon", Synthetic), "--store", Store));
        SqliteConnection.ClearAllPools();
        var db = Path.Combine(Store, "results.db");
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            // SQLite keeps text in a REAL column: what another program (or a broken disk) could leave there.
            update.CommandText = "UPDATE trials SET test_acc = 'high' WHERE ordinal = 0;";
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        SqliteConnection.ClearAllPools();
        var before = Hash(db);
        string[] args = command switch
        {
            "summary" => ["summary", "hostile", "--store", Store],
            "export" => ["export", "hostile", "--store", Store, "--out", Path.Combine(Dir, "out")],
            _ => ["report", "hostile", "--store", Store, "--out", Path.Combine(Dir, "out")],
        };

        var result = await CliRunner.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: results table trials: test_acc holds a String, expected a number", result.Error.Trim());
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Hash(db));
    }

    [Fact]
    public async Task A_trial_id_in_the_store_that_is_a_path_never_becomes_a_folder()
    {
        CliRunner.AssertRan(await CliRunner.Run("run", Write("s.hocon", Synthetic), "--store", Store));
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(Store, "results.db")}"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE epochs SET trial = '../../../../pwned' WHERE trial = (SELECT MIN(trial) FROM epochs);";
            Assert.True(update.ExecuteNonQuery() > 0);
        }

        SqliteConnection.ClearAllPools();
        var events = Path.Combine(Dir, "runs", "deep");

        var result = await CliRunner.Run("export", "hostile", "--store", Store, "--tensorboard", events);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("\"../../../../pwned\" is not a trial id (12 hex digits)", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "pwned*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dir, "pwned*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_tensorboard_export_replaces_only_its_own_event_files()
    {
        CliRunner.AssertRan(await CliRunner.Run("run", Write("s.hocon", Synthetic), "--store", Store));
        var events = Path.Combine(Dir, "runs");
        Assert.Equal(0, (await CliRunner.Run("export", "hostile", "--store", Store, "--tensorboard", events)).ExitCode);
        var trialFolder = Directory.GetDirectories(Path.Combine(events, "hostile"))[0];
        var notes = Path.Combine(trialFolder, "notes.txt");
        File.WriteAllText(notes, "mine");

        Assert.Equal(0, (await CliRunner.Run("export", "hostile", "--store", Store, "--tensorboard", events)).ExitCode);

        Assert.Equal("mine", File.ReadAllText(notes));
        Assert.Single(Directory.GetFiles(trialFolder, "events.out.tfevents.*"));
    }

    [Theory]
    [InlineData("include \"/etc/passwd\"\n", "include is not allowed")]
    [InlineData("sweep { name = \"../../x\" }\n", "sweep.name")]
    public async Task A_sweep_file_that_reaches_outside_itself_is_refused_and_nothing_is_stored(string prefix, string message)
    {
        var result = await CliRunner.Run("run", Write("s.hocon", prefix + Synthetic.Replace("name = hostile", "")), "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }

    [Theory]
    [InlineData("/dev/zero", "file: is larger than a sweep file may be (at most 1,048,576 bytes)")]
    [InlineData("/", "file: is a folder; give the sweep file in it")]
    public async Task A_sweep_file_that_is_endless_or_a_folder_is_refused_without_reading_it_all(string path, string message)
    {
        var result = await CliRunner.Run("run", path, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {path}: {message}", result.Error.Trim());
        Assert.False(Directory.Exists(Store));
    }

    [Theory]
    [InlineData("--host", "0.0.0.0", "remoting on 0.0.0.0 requires TLS: give --tls-cert FILE")]
    [InlineData("--host", "10.1.2.3", "remoting on 10.1.2.3 requires TLS")]
    [InlineData("--host", "127.0.0.1\" } akka.remote.dot-netty.tcp { hostname = \"evil", "--host: must be a host name or IPv4 address")]
    [InlineData("--bind-host", "0.0.0.0\nakka.loglevel = OFF", "--bind-host: must be an interface address")]
    [InlineData("--seed", "evil\"host:4000", "--seed")]
    [InlineData("--tls-cert", "/nonexistent/cluster.pfx", "--tls-cert:")]
    [InlineData("--join-timeout", "0", "--join-timeout: must be from 1 to 3600 seconds, got 0")]
    public async Task A_node_with_an_unsafe_or_malformed_address_or_certificate_does_not_start(string option, string value, string message)
    {
        var args = new List<string> { "node", "--roles", "worker", "--port", "4997", "--store", Store };
        if (option != "--seed") args.AddRange(["--seed", "127.0.0.1:4996"]);
        args.AddRange([option, value]);

        var result = await CliRunner.Run([.. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", result.Error.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }

    [Theory]
    [InlineData("fifo", "refused, a FIFO (named pipe)")]
    [InlineData("link to /dev/zero", "refused, a character device")]
    public void A_configuration_folder_whose_file_is_not_a_regular_file_is_refused_at_once_with_exit_2(string kind, string message)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Dir, "config")).FullName;
        foreach (var name in new[] { "cluster.conf", "sweepgrid.conf" }) File.WriteAllText(Path.Combine(folder, name), SweepGrid.Cluster.Hosting.HoconFiles.Text(name));
        File.Delete(Path.Combine(folder, "cluster.conf"));
        HostileFiles.All[kind](Path.Combine(folder, "cluster.conf"));

        var result = HostileFiles.Within(TimeSpan.FromSeconds(30), () =>
            CliRunner.Run("node", "--roles", "worker", "--port", "4997", "--seed", "127.0.0.1:4996", "--store", Store, "--config-dir", folder).Result);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --config-dir: {Path.Combine(folder, "cluster.conf")}: {message}", result.Error.Trim());
        Assert.False(Directory.Exists(Store));
    }

    /// <summary>The dates of an expired certificate are UTC, as their Z says, on a machine whose clock is not (it printed local times with a Z).</summary>
    [Fact]
    public async Task An_expired_certificates_dates_are_utc_in_any_time_zone()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=old", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var notAfter = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var expired = request.CreateSelfSigned(notAfter.AddDays(-10), notAfter);
        var path = Path.Combine(Dir, "old.pfx");
        File.WriteAllBytes(path, expired.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12));
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), "node", "--roles", "worker", "--port", "4997", "--seed", "127.0.0.1:4996", "--store", Store, "--tls-cert", path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["TZ"] = "Asia/Kolkata"; // UTC+05:30

        using var node = System.Diagnostics.Process.Start(start)!;
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();

        Assert.Equal(2, node.ExitCode);
        Assert.Contains($"valid from 2025-12-23 03:04:05Z to 2026-01-02 03:04:05Z, not now", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_cluster_certificate_is_created_private_and_never_silently_replaced()
    {
        var folder = Path.Combine(Dir, "tls");

        var created = await CliRunner.Run("cert", "create", "--out", folder);
        var again = await CliRunner.Run("cert", "create", "--out", folder);

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("SHA-256 fingerprint", created.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "cluster.pfx")));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("cluster.pfx: exists; --force replaces it", again.Error, StringComparison.Ordinal);

        File.SetUnixFileMode(Path.Combine(folder, "cluster.pfx"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Equal(0, (await CliRunner.Run("cert", "create", "--out", folder, "--force")).ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "cluster.pfx")));
    }
}
