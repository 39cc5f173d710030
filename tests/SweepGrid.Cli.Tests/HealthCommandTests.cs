using SweepGrid.Store;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Cli.Tests;

/// <summary>`sweepgrid health` against the health file of a real node (a single-member cluster in this process).</summary>
public sealed class HealthCommandTests : TempDirectoryTest
{
    /// <summary>In a folder that does not exist yet, as the default one on a fresh machine or container.</summary>
    private string HealthFile => Path.Combine(Dir, "health", "node.health.json");

    [Fact]
    public async Task A_running_node_is_live_and_ready_and_once_it_has_left_it_is_neither()
    {
        int port = TestMachine.FreePort();
        var node = await SweepGridNode.StartAsync(new SweepGridNode.NodeOptions(
            [SweepGridNode.Roles.Coordinator, SweepGridNode.Roles.Worker], "127.0.0.1", port, [], new StoreLocation(Path.Combine(Dir, "store")),
            Commands.SlotPlan.None, HealthFile: HealthFile, ReadDataset: Commands.SweepLoader.ReadDataset));
        try
        {
            var ready = await Eventually(() => CliRunner.Run("health", "--health-file", HealthFile), r => r.ExitCode == 0);
            Assert.StartsWith($"healthy: node akka.tcp://sweepgrid@127.0.0.1:{port}: Up, store reachable", ready.Output);
            Assert.Equal(0, (await CliRunner.Run("health", "--health-file", HealthFile, "--live")).ExitCode);
        }
        finally
        {
            await node.DisposeAsync();
        }

        var gone = await CliRunner.Run("health", "--health-file", HealthFile);
        Assert.Equal((1, true), (gone.ExitCode, gone.Output.Contains("no health file", StringComparison.Ordinal)));
        Assert.Equal(1, (await CliRunner.Run("health", "--health-file", HealthFile, "--live")).ExitCode);
    }

    [Fact]
    public async Task A_stale_file_is_not_live_and_a_bad_max_age_is_bad_input()
    {
        new Cluster.Health.NodeHealth("akka.tcp://sweepgrid@x:4053", "Up", true, null, DateTimeOffset.UtcNow.AddMinutes(-5)).Write(HealthFile);
        var stale = await CliRunner.Run("health", "--health-file", HealthFile, "--live");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("not responding", stale.Output);

        var bad = await CliRunner.Run("health", "--health-file", HealthFile, "--max-age", "0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--max-age: must be at least 1", bad.Error);
    }

    private static async Task<CliRunner.Result> Eventually(Func<Task<CliRunner.Result>> run, Func<CliRunner.Result, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = await run();
            if (done(result) || DateTime.UtcNow > deadline) return result;
            await Task.Delay(250);
        }
    }
}
