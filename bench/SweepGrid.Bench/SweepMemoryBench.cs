using SweepGrid.Store;
using System.Globalization;
using System.Text;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Bench;

/// <summary>
/// A 100-trial tiny sweep through the whole embedded path (coordinator, 2 slots, recorders, SQLite
/// journal and tables), with the process's resident memory recorded as each trial settles: it should
/// level off, not grow with the number of trials.
/// </summary>
internal static class SweepMemoryBench
{
    public static async Task<string> RunAsync(int trials)
    {
        var definition = BenchSweeps.Define(BenchSweeps.Grid("memory", trials, """
            dataset { name = synthetic, synthetic { train-size = 2048, test-size = 512, features = 64, classes = 10 } }
            model { hidden = [128, 128] }
            base { batch-size = 64, learning-rate = 0.05, epochs = 2 }
            """));
        var store = Directory.CreateTempSubdirectory("sweepgrid-memory-").FullName;
        var samples = new List<(int Settled, double RssMiB)> { (0, RssMiB()) };
        try
        {
            await using var node = await SweepGridNode.StartLocalAsync(StoreLocation.FromEnvironment(store), new NodeSlots(2, "cpu", new ProcessWorkerLauncher(Sweepgrid.Worker("torch"))));
            int settled = 0;
            var final = await LocalSweep.RunAsync(node, definition, message =>
            {
                if (message is TrialSettled { Status: TrialStatus.Completed }) samples.Add((++settled, RssMiB()));
            }, CancellationToken.None);
            if (final.Count(TrialStatus.Completed) != trials) throw new InvalidOperationException("not every trial completed");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(store, recursive: true);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Memory over a {trials}-trial sweep ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine("Embedded run (coordinator, 2 CPU slots, recorders, SQLite journal and tables); synthetic data 2,048 × 64,");
        report.AppendLine("MLP 64-128-128-10, 2 epochs per trial. Resident set size of the process after each trial completed.");
        report.AppendLine();
        report.AppendLine("| trials done | RSS MiB |");
        report.AppendLine("| ---: | ---: |");
        int every = Math.Max(10, trials / 15 / 10 * 10);
        foreach (var (done, rss) in samples.Where(s => s.Settled is 0 or 1 or 2 or 5 or 10 || s.Settled % every == 0))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {done} | {rss:F0} |");
        }

        var late = samples.Where(s => s.Settled >= 10).Select(s => s.RssMiB).ToList();
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"From trial 10 to {trials}: min {late.Min():F0} MiB, max {late.Max():F0} MiB, change {late[^1] - late[0]:+0;-0} MiB.");
        return report.ToString();
    }

    public static double RssMiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
