using SweepGrid.Tests.Shared;
namespace SweepGrid.Cli.Tests;

/// <summary>`sweepgrid node` refuses a bad configuration folder before it starts anything: exit 2, one line naming the file.</summary>
public sealed class NodeArgumentTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    private Task<CliRunner.Result> Node(string configDir) =>
        CliRunner.Run("node", "--roles", "worker", "--port", "4999", "--seed", "127.0.0.1:4998", "--store", Store, "--config-dir", configDir);

    private string ConfigDir(string sweepgridConf, string clusterConf = "")
    {
        var dir = Directory.CreateDirectory(Path.Combine(Dir, "config")).FullName;
        File.WriteAllText(Path.Combine(dir, "sweepgrid.conf"), sweepgridConf);
        File.WriteAllText(Path.Combine(dir, "cluster.conf"), clusterConf);
        return dir;
    }

    [Fact]
    public async Task A_missing_folder_is_bad_input()
    {
        var result = await Node(Path.Combine(Dir, "nowhere"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config-dir: folder not found", result.Error);
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_folder_without_cluster_conf_is_bad_input()
    {
        var dir = ConfigDir(File.ReadAllText(Path.Combine(TestMachine.RepoRoot(), "hocon", "sweepgrid.conf")));
        File.Delete(Path.Combine(dir, "cluster.conf"));
        var result = await Node(dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cluster.conf: not found", result.Error);
    }

    [Fact]
    public async Task Unparsable_hocon_is_bad_input_naming_the_file()
    {
        var result = await Node(ConfigDir("akka.loglevel = ${nothing.here}", "akka.cluster {}"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Path.Combine(Dir, "config", "sweepgrid.conf")}: Unresolved substitution: nothing.here", result.Error);
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_folder_whose_files_lack_the_shutdown_settings_is_bad_input()
    {
        var result = await Node(ConfigDir("akka.loglevel = INFO", "akka.cluster {}"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweepgrid.shutdown.checkpoint-within: missing", result.Error);
    }

    [Fact]
    public async Task A_shutdown_phase_shorter_than_the_checkpoint_window_is_bad_input()
    {
        var shipped = File.ReadAllText(Path.Combine(TestMachine.RepoRoot(), "hocon", "sweepgrid.conf"));
        var result = await Node(ConfigDir(shipped + "\nsweepgrid.shutdown.checkpoint-within = 300s\n"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("akka.coordinated-shutdown.phases.service-requests-done.timeout: must be at least sweepgrid.shutdown.checkpoint-within + 20s (320s), got 150s", result.Error);
    }
}
