using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Workers;

namespace SweepGrid.Bench;

/// <summary>
/// What starting a slot's worker process costs (issue 14): from Process.Start to its ready frame, for a
/// worker that trains (it loads libtorch before it says it is ready) and a no-op one (runtime only),
/// each started <c>repeats</c> times one after another, as a slot does after a worker dies.
/// </summary>
internal static class WorkerStartupBench
{
    public static string Run(int repeats)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## Worker start-up, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {repeats} starts each");
        report.AppendLine();
        report.AppendLine("| worker | start → ready median s | min s | max s | of which the worker's own start-up (median) s |");
        report.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var runner in new[] { "noop", "torch" })
        {
            var ready = new List<double>();
            var own = new List<double>();
            for (int i = 0; i < repeats; i++)
            {
                var (wall, reported) = StartOnce(runner);
                ready.Add(wall);
                own.Add(reported);
            }

            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {(runner == "torch" ? "trains (libtorch loaded)" : "no-op (no libtorch)")} | {Measure.Median(ready):F2} | {ready.Min():F2} | {ready.Max():F2} | {Measure.Median(own):F2} |");
        }

        return report.ToString();
    }

    private static (double Wall, double Reported) StartOnce(string runner)
    {
        var ready = new TaskCompletionSource<WorkerReady>();
        var clock = Stopwatch.StartNew();
        using var worker = new ProcessWorkerLauncher(Sweepgrid.Worker(runner)).Start("bench", new WorkerEvents(
            m =>
            {
                if (m is WorkerReady r) ready.TrySetResult(r);
            },
            _ => { },
            (code, error) => ready.TrySetException(new InvalidOperationException($"worker exited {code}: {error}"))));
        var answer = ready.Task.WaitAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        return (clock.Elapsed.TotalSeconds, answer.StartupSeconds);
    }
}
