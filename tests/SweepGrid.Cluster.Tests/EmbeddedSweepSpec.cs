using SweepGrid.Store;
using System.Collections.Concurrent;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>The whole of `run`'s path: a one-node cluster with its director, real slots training with TorchSharp, SQLite store.</summary>
public sealed class EmbeddedSweepSpec : IDisposable
{
    private readonly StoreLocation _store = TestStores.Create();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_store.Directory, recursive: true);
    }

    private async Task<(SweepProgress Final, List<object> Events)> RunOnce(int seeds, int slots)
    {
        var events = new ConcurrentQueue<object>();
        await using var node = await SweepGridNode.StartLocalAsync(_store, new NodeSlots(slots, "cpu", InProcessWorkers.Training));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var final = await LocalSweep.RunAsync(node, TestStores.Definition("embedded", seeds, epochs: 2), events.Enqueue, timeout.Token);
        return (final, events.ToList());
    }

    [Fact]
    public async Task A_sweep_runs_every_trial_once_records_every_epoch_and_is_not_rerun()
    {
        var (final, events) = await RunOnce(seeds: 4, slots: 2);

        Assert.Equal(4, final.Count(TrialStatus.Completed));
        var started = events.OfType<TrialStarted>().ToList();
        Assert.Equal(4, started.Select(s => s.TrialId).Distinct().Count());
        Assert.Equal(4, started.Count);
        Assert.Equal(2, started.Select(s => s.Slot).Distinct().Count());
        Assert.Equal(8, events.OfType<TrialEpoch>().Count());

        var results = new Store.ResultsStore(_store.Directory);
        var rows = results.Read.Rows("trials", "embedded");
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal("completed", r["status"]));
        Assert.All(rows, r => Assert.InRange((double)r["test_acc"]!, 0.34, 1.0));
        var trajectory = results.Read.Rows("epochs", "embedded");
        Assert.Equal(8, trajectory.Count);
        Assert.Equal(rows.Select(r => r["trial"]).SelectMany(t => new[] { (t, 1L), (t, 2L) }),
            trajectory.Select(r => (r["trial"], (long)r["epoch"]!)));

        var (again, rerunEvents) = await RunOnce(seeds: 4, slots: 2);

        Assert.Equal(4, again.Count(TrialStatus.Completed));
        Assert.Empty(rerunEvents.OfType<TrialStarted>());
        Assert.Equal(new Submitted(0, 4, 4), rerunEvents.OfType<Submitted>().Single());
    }

    [Fact]
    public async Task Growing_the_grid_runs_only_the_new_trials()
    {
        await RunOnce(seeds: 2, slots: 1);

        var (final, events) = await RunOnce(seeds: 3, slots: 1);

        Assert.Equal(3, final.Count(TrialStatus.Completed));
        var started = Assert.Single(events.OfType<TrialStarted>());
        Assert.Equal(TestStores.Trials("embedded", 3, epochs: 2)[2].TrialId, started.TrialId);
    }
}
