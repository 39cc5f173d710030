using SweepGrid.Store;
using System.Diagnostics;
using System.Globalization;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Results;

namespace SweepGrid.Bench;

/// <summary>
/// Dispatch overhead (issues 5 and 14): many trials that do nothing (or sleep a fixed time) through the
/// whole embedded path: coordinator, slots, each slot's worker process, recorders, journal and result
/// tables. Each trial reports one epoch and its outcome, so every trial costs what a real one costs in
/// bookkeeping: an assignment journaled, a round trip to its worker, two reports journaled and written
/// to the tables, a finish journaled. The store is SQLite, or PostgreSQL when SWEEPGRID_POSTGRES is
/// set. Ray Tune's published bookkeeping test for comparison: 10,000 one-second trials on 16 slots in
/// 715 s against a 625 s ideal.
/// </summary>
internal static class DispatchBench
{
    public static async Task<string> RunAsync(int trials, int slots, double trialSeconds)
    {
        // A name of its own: a PostgreSQL store outlives the run, and a sweep's name is its identity there.
        var definition = BenchSweeps.Define(BenchSweeps.Grid($"dispatch-{trials}-{DateTime.UtcNow:yyyyMMddHHmmss}", trials, """
            dataset { name = synthetic }
            base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
            """));
        var store = StoreLocation.FromEnvironment(Directory.CreateTempSubdirectory("sweepgrid-dispatch-").FullName);
        var workers = new ProcessWorkerLauncher(Sweepgrid.Worker($"noop:{trialSeconds.ToString(CultureInfo.InvariantCulture)}"));
        await using var node = await SweepGridNode.StartLocalAsync(store, new NodeSlots(slots, "cpu", workers));
        var clock = Stopwatch.StartNew();
        var final = await LocalSweep.RunAsync(node, definition, _ => { }, CancellationToken.None);
        var wall = clock.Elapsed.TotalSeconds;
        if (final.Count(TrialStatus.Completed) != trials) throw new InvalidOperationException($"{final.Count(TrialStatus.Completed)} of {trials} completed");

        double ideal = trials * trialSeconds / slots;
        double perTrial = (wall * slots / trials) - trialSeconds; // slot-seconds of bookkeeping per trial
        var line = string.Create(CultureInfo.InvariantCulture,
            $"| {(store.IsPostgres ? "PostgreSQL 15" : "SQLite")} | {trials:N0} | {slots} | {trialSeconds:0.###} | {wall:F1} | {ideal:F1} | {trials / wall:F0} | " +
            $"{perTrial * 1000:F1} | {(trialSeconds > 0 ? $"{100 * (wall - ideal) / ideal:F1} %" : "n/a")} |");
        if (!store.IsPostgres && Environment.GetEnvironmentVariable("SWEEPGRID_BENCH_KEEP") is null) Directory.Delete(store.Directory, recursive: true);
        else Console.Error.WriteLine($"store kept: {store.Directory}");
        return line;
    }

    /// <summary>The heading of this bench's table since trials run in worker processes (the rows before it ran them on threads).</summary>
    public const string Section = "## Trials in worker processes (one per slot)";

    public const string Header = """
        | store | trials | slots | trial s | wall s | ideal s | trials/s | overhead ms/trial/slot | overhead vs ideal |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        """;
}
