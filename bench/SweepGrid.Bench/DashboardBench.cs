using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Bench;

/// <summary>
/// How fast `sweepgrid serve` answers for a large sweep (issue 16: the sweep page of a 10,000-trial
/// sweep in under 1 s). A SQLite store is filled with a finished sweep of that many trials (3 epochs
/// and 4 flatness values each), the real `sweepgrid serve` process is started on it, and each page and
/// the JSON the page loads are fetched over HTTP: one warm-up, then timed requests.
/// </summary>
internal static class DashboardBench
{
    public static async Task<string> RunAsync(int trials = 10_000, int repeats = 10)
    {
        var dir = Directory.CreateTempSubdirectory("sweepgrid-dashboard-bench-").FullName;
        try
        {
            var fill = Stopwatch.StartNew();
            var (sweep, first) = Fill(dir, trials);
            fill.Stop();
            using var serve = Process.Start(new ProcessStartInfo(Sweepgrid.Executable, ["serve", "--store", dir, "--port", "0"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            try
            {
                var line = await serve.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await serve.StandardError.ReadToEndAsync());
                var url = line.Split(' ')[1];
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
                var report = new StringBuilder();
                report.AppendLine(CultureInfo.InvariantCulture, $"## `sweepgrid serve` on a finished sweep of {trials:N0} trials ({DateTime.UtcNow:yyyy-MM-dd})");
                report.AppendLine();
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"{Environment.ProcessorCount} cores, SQLite store filled in {fill.Elapsed.TotalSeconds:F0} s (3 epochs and 4 flatness values per trial). " +
                    $"Over loopback HTTP from the bench process; {repeats} timed requests after one warm-up. Command: `dotnet run -c Release --project bench/SweepGrid.Bench -- --dashboard`.");
                report.AppendLine();
                report.AppendLine("| request | bytes | median s | max s |");
                report.AppendLine("| --- | ---: | ---: | ---: |");
                foreach (var (name, path) in new[]
                         {
                             ("sweeps page", "/"), ("sweep page", $"/sweeps/{sweep}"), ("all trial rows (first update, reconnects)", $"/api/sweeps/{sweep}/trials"),
                             ("by-batch figures", $"/api/sweeps/{sweep}/figures"), ("trial page", $"/sweeps/{sweep}/trials/{first}"),
                         })
                {
                    long bytes = (await Get(http, path)).Length;
                    var times = new List<double>();
                    for (int i = 0; i < repeats; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        await Get(http, path);
                        times.Add(clock.Elapsed.TotalSeconds);
                    }

                    times.Sort();
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {bytes:N0} | {times[times.Count / 2]:F3} | {times[^1]:F3} |");
                }

                await MeasurePushes(http, dir, sweep, first, repeats, report);
                await MeasureTrialPageOnLongLogs(http, dir, sweep, first, repeats, report);
                return report.ToString();
            }
            finally
            {
                serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The sweep page's live update since pushes: one trial gets a new epoch, and the stream sends that
    /// trial's line (timed from the write; the stream looks at the store once a second).
    /// </summary>
    private static async Task MeasurePushes(HttpClient http, string dir, string sweep, string trial, int repeats, StringBuilder report)
    {
        using var response = await http.GetAsync($"/api/sweeps/{sweep}/events?rows=1", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync());
        await NextEvent(events, "update");
        var store = new ResultsStore(dir);
        var times = new List<double>();
        long bytes = 0;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            store.Write.Epoch(sweep, trial, 1, new EpochRecord(4 + i, (4 + i) * 100L, 0.05, 0.2, 0.9, 0.3, 0.85, 8.0, 6.0));
            bytes = (await NextEvent(events, "rows")).Length;
            times.Add(clock.Elapsed.TotalSeconds);
            await NextEvent(events, "update");
        }

        times.Sort();
        report.AppendLine(CultureInfo.InvariantCulture, $"| pushed lines (live update: one trial's new epoch) | {bytes:N0} | {times[times.Count / 2]:F3} | {times[^1]:F3} |");
        report.AppendLine();
        report.AppendLine("A pushed line's time runs from the store write to its event: up to 1 s until the stream next looks at the store, then reading and rendering the table to find the lines that changed.");
    }

    /// <summary>
    /// A trial page once the store's logs are long, as after days on a cluster: 1,000,000 lines about
    /// 10,000 trials are appended to a log file, then the page is fetched (the first look indexes them)
    /// and fetched again (later looks read only what was appended).
    /// </summary>
    private static async Task MeasureTrialPageOnLongLogs(HttpClient http, string dir, string sweep, string trial, int repeats, StringBuilder report)
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir, "logs")).FullName;
        var file = Path.Combine(folder, "node-bench-20261202.log");
        var ids = new ResultsStore(dir).Read.Trials(sweep).Select(t => t.Trial).ToList();
        using (var writer = new StreamWriter(file))
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                writer.Write("{\"@t\":\"2026-12-02T00:00:00.000Z\",\"@mt\":\"Trial {TrialId} of sweep {SweepId}: attempt {Attempt} resumes from its checkpoint after epoch {Epoch}\",");
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"\"TrialId\":\"{ids[i % ids.Count]}\",\"SweepId\":\"{sweep}\",\"Attempt\":1,\"Epoch\":{i % 7}}}\n"));
            }
        }

        long bytes = new FileInfo(file).Length;
        var cold = Stopwatch.StartNew();
        await Get(http, $"/sweeps/{sweep}/trials/{trial}");
        cold.Stop();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await Get(http, $"/sweeps/{sweep}/trials/{trial}");
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Trial page with {bytes / 1e6:F0} MB of logs (1,000,000 lines about {ids.Count:N0} trials): {cold.Elapsed.TotalSeconds:F2} s the first time (the logs are indexed), " +
            $"then {times[times.Count / 2]:F3} s median, {times[^1]:F3} s max (only what was appended is read).");
    }

    /// <summary>The data of the next event of that kind on a server-sent event stream.</summary>
    private static async Task<string> NextEvent(StreamReader events, string kind)
    {
        string? current = null;
        while (await events.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) current = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == kind) return line[6..];
        }

        throw new EndOfStreamException("the event stream ended");
    }

    private static async Task<string> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A finished sweep: every trial registered, 3 epochs, 4 flatness values and a completed outcome.</summary>
    private static (string Sweep, string FirstTrial) Fill(string dir, int trials)
    {
        var spec = SweepFile.Parse($$"""
            sweep {
              name = dashboard-bench
              dataset { name = synthetic }
              base { batch-size = 32, learning-rate = 0.05, epochs = 3 }
              grid { batch-size = [32, 64, 128, 256], learning-rate = [0.01, 0.02, 0.05, 0.1, 0.2], seed = [{{string.Join(", ", Enumerable.Range(1, trials / 20))}}] }
            }
            """, "dashboard-bench.hocon");
        var expanded = GridExpansion.Expand(spec);
        var store = new ResultsStore(dir);
        store.EnsureSchema();
        store.Write.Sweep(spec);
        store.Write.Trials(spec.Name, expanded.Select((t, i) => (i, t)));
        var random = new Random(1);
        foreach (var t in expanded)
        {
            EpochRecord last = null!;
            for (int epoch = 1; epoch <= 3; epoch++)
            {
                double acc = 0.7 + 0.05 * epoch + random.NextDouble() * 0.02;
                last = new EpochRecord(epoch, epoch * 100L, t.LearningRate, 1.0 / epoch, acc + 0.02, 1.1 / epoch, acc, epoch * 2.0, epoch * 1.5);
                store.Write.Epoch(spec.Name, t.TrialId, 1, last);
            }

            foreach (var metric in new[] { "sharpness", "hessian-top", "hessian-trace", "relative-flatness" })
            {
                store.Write.Flatness(spec.Name, t.TrialId, 1, new FlatnessRecord(3, metric, random.NextDouble() * 100, 0.5, 10));
            }

            store.Write.Outcome(spec.Name, t.TrialId, TrialOutcome.Completed(last, 4.5, null), attempt: 1);
            store.Write.Status(spec.Name, t.TrialId, TrialStatus.Completed, 1, null);
        }

        return (spec.Name, expanded[0].TrialId);
    }
}
