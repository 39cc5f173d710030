using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;

namespace SweepGrid.Bench;

/// <summary>
/// Dispatch overhead (issue 5): many trials that do nothing (or sleep a fixed time) through the whole
/// embedded path: coordinator, slots, recorders, journal and result tables. Each trial reports one
/// epoch and its outcome, so every trial costs what a real one costs in bookkeeping: an assignment
/// journaled, two reports journaled and written to the tables, a finish journaled. The store is SQLite,
/// or PostgreSQL when SWEEPGRID_POSTGRES is set. Ray Tune's published bookkeeping test for comparison:
/// 10,000 one-second trials on 16 slots in 715 s against a 625 s ideal.
/// </summary>
internal static class DispatchBench
{
    public static async Task<string> RunAsync(int trials, int slots, double trialSeconds)
    {
        var definition = BenchSweeps.Define(BenchSweeps.Grid("dispatch", trials, """
            dataset { name = synthetic }
            base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
            """));
        var store = StoreLocation.FromEnvironment(Directory.CreateTempSubdirectory("sweepgrid-dispatch-").FullName);
        var runner = new NoOpRunner(TimeSpan.FromSeconds(trialSeconds));
        await using var host = await SweepGridHost.StartEmbeddedAsync(store);
        var clock = Stopwatch.StartNew();
        var final = await EmbeddedSweep.RunAsync(host, definition, new NodeSlots(slots, "cpu", runner), _ => { }, CancellationToken.None);
        var wall = clock.Elapsed.TotalSeconds;
        if (final.Count(TrialStatus.Completed) != trials) throw new InvalidOperationException($"{final.Count(TrialStatus.Completed)} of {trials} completed");

        var waits = runner.Waits.Order().ToArray();
        var storing = runner.Storing.Order().ToArray();
        double ideal = trials * trialSeconds / slots;
        double perTrial = (wall * slots / trials) - trialSeconds; // slot-seconds of bookkeeping per trial
        var line = string.Create(CultureInfo.InvariantCulture,
            $"| {(store.IsPostgres ? "PostgreSQL 15" : "SQLite")} | {trials:N0} | {slots} | {trialSeconds:0.###} | {wall:F1} | {ideal:F1} | {trials / wall:F0} | " +
            $"{perTrial * 1000:F1} | {Percentile(waits, 0.5):F1} | {Percentile(waits, 0.99):F1} | {Percentile(storing, 0.5):F1} | {Percentile(storing, 0.99):F1} | {(trialSeconds > 0 ? $"{100 * (wall - ideal) / ideal:F1} %" : "n/a")} |");
        if (!store.IsPostgres && Environment.GetEnvironmentVariable("SWEEPGRID_BENCH_KEEP") is null) Directory.Delete(store.Directory, recursive: true);
        else Console.Error.WriteLine($"store kept: {store.Directory}");
        return line;
    }

    public const string Header = """
        | store | trials | slots | trial s | wall s | ideal s | trials/s | overhead ms/trial/slot | ask→start p50 ms | ask→start p99 ms | end→ask p50 ms | end→ask p99 ms | overhead vs ideal |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        """;

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];

    /// <summary>Reports one epoch and completes, after sleeping if asked; notes how long its slot waited for it.</summary>
    private sealed class NoOpRunner(TimeSpan duration) : ITrialRunner
    {
        public ConcurrentBag<double> Waits { get; } = [];

        /// <summary>From a trial's end to its slot asking for the next: storing its reports and outcome.</summary>
        public ConcurrentBag<double> Storing { get; } = [];

        [ThreadStatic]
        private static long _lastEnd;

        public TrialOutcome Run(TrialRun run)
        {
            Waits.Add(Stopwatch.GetElapsedTime(run.RequestedAt).TotalMilliseconds);
            if (_lastEnd != 0) Storing.Add(Stopwatch.GetElapsedTime(_lastEnd, run.RequestedAt).TotalMilliseconds);
            _lastEnd = 0;
            if (duration > TimeSpan.Zero) Thread.Sleep(duration);
            var epoch = new EpochRecord(1, 1, run.Trial.LearningRate, 1, 0.5, 1, 0.5, 0, duration.TotalSeconds);
            run.Observer.OnEpoch(epoch);
            _lastEnd = Stopwatch.GetTimestamp();
            return new TrialOutcome(TrialStatus.Completed, epoch, 1, duration.TotalSeconds, null);
        }
    }
}
