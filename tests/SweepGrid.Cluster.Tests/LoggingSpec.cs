using SweepGrid.Store;
using System.Text.Json;
using Serilog;
using Serilog.Formatting.Compact;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Training.Workers;
using SweepGrid.Core.Results;

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
        var definition = TestStores.Definition("logged", seeds: 2);
        var (good, broken) = (definition.Expand()[0], definition.Expand()[1]);

        // The second trial crashes in its slot on every attempt.
        var workers = new InProcessWorkers(() => new CrashingRunner(broken.TrialId));
        await using (var node = await SweepGridNode.StartLocalAsync(_store, new NodeSlots(1, "cpu", workers)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var final = await LocalSweep.RunAsync(node, definition, _ => { }, timeout.Token);
            Assert.Equal((1, 1), (final.Count(TrialStatus.Completed), final.Count(TrialStatus.Failed)));
        }

        await Log.CloseAndFlushAsync();
        var events = File.ReadLines(logFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var crashes = events.Where(e => e.TryGetProperty("@l", out var l) && l.GetString() == "Error"
                                        && e.TryGetProperty("TrialId", out var t) && t.GetString() == broken.TrialId).ToList();
        Assert.Equal(3, crashes.Count);
        Assert.All(crashes, e => Assert.Equal("logged", e.GetProperty("SweepId").GetString()));
        Assert.Equal([1, 2, 3], crashes.Select(e => e.GetProperty("Attempt").GetInt32()).Order());
        // The error (what the console shows) is one line; the stack is in the file, at a level the console does not show.
        Assert.All(crashes, e => Assert.Equal("injected crash", e.GetProperty("Reason").GetString()));
        Assert.All(crashes, e => Assert.DoesNotContain("\n", e.GetProperty("@mt").GetString()));
        var stacks = events.Where(e => e.TryGetProperty("Detail", out _) && e.TryGetProperty("TrialId", out var t) && t.GetString() == broken.TrialId).ToList();
        Assert.Equal(3, stacks.Count);
        Assert.All(stacks, e => Assert.False(e.TryGetProperty("@l", out _), "the stack is logged at Information (the default level, no @l)"));
        Assert.Contains(nameof(CrashingRunner), stacks[0].GetProperty("Detail").GetString());
        Assert.Contains(events, e => e.TryGetProperty("TrialId", out var t) && t.GetString() == good.TrialId
                                     && e.GetProperty("@mt").GetString()!.Contains("started", StringComparison.Ordinal));
    }

    /// <summary>Trains every trial but one, which throws (as a trial with broken data would).</summary>
    private sealed class CrashingRunner(string crashing) : ITrialRunner
    {
        public TrialOutcome Run(TrialRun run) => run.Trial.TrialId == crashing
            ? throw new InvalidOperationException("injected crash")
            : TorchTrialRunner.Instance.Run(run);
    }
}
