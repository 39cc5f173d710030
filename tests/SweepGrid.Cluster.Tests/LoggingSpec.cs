using System.Text.Json;
using Serilog;
using Serilog.Formatting.Compact;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cluster.Tests;

/// <summary>Akka's log events reach a Serilog file sink as structured events with the trial's ids.</summary>
public sealed class LoggingSpec : IDisposable
{
    private readonly StoreLocation _store = TestStores.Create();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_store.Directory, recursive: true);
    }

    [Fact]
    public async Task Trial_log_lines_carry_trial_and_sweep_ids_as_properties()
    {
        var logFile = Path.Combine(_store.Directory, "test-log.json");
        Log.Logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.File(new CompactJsonFormatter(), logFile).CreateLogger();
        var good = TestStores.Trials("logged", seeds: 1)[0];
        // A trial whose data folder does not exist crashes in its slot on every attempt.
        var broken = good with
        {
            TrialId = "brokentrial1",
            Dataset = good.Dataset with { Name = "fashion-mnist", Path = Path.Combine(_store.Directory, "missing") },
        };

        await using (var host = await SweepGridHost.StartEmbeddedAsync(_store.Directory))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var final = await EmbeddedSweep.RunAsync(host, SweepDefaults.Spec with { Name = "logged" }, [good, broken],
                new NodeSlots(1, "cpu"), _ => { }, timeout.Token);
            Assert.Equal((1, 1), (final.Count(TrialStatus.Completed), final.Count(TrialStatus.Failed)));
        }

        await Log.CloseAndFlushAsync();
        var events = File.ReadLines(logFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var crashes = events.Where(e => e.TryGetProperty("@l", out var l) && l.GetString() == "Error"
                                        && e.TryGetProperty("TrialId", out var t) && t.GetString() == "brokentrial1").ToList();
        Assert.Equal(3, crashes.Count);
        Assert.All(crashes, e => Assert.Equal("logged", e.GetProperty("SweepId").GetString()));
        Assert.Equal([1, 2, 3], crashes.Select(e => e.GetProperty("Attempt").GetInt32()).Order());
        Assert.Contains("dataset folder not found", crashes[0].GetProperty("Detail").GetString());
        Assert.Contains(events, e => e.TryGetProperty("TrialId", out var t) && t.GetString() == good.TrialId
                                     && e.GetProperty("@mt").GetString()!.Contains("started", StringComparison.Ordinal));
    }
}
