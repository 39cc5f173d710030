using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Integration.Tests;

/// <summary>
/// A spot pool reclaimed: most workers vanish in one second, and the one left stops answering. The
/// split-brain resolver counts only coordinators (hocon/cluster.conf, keep-majority.role), so the
/// coordinator stays up, downs the lost workers, and their trials are interrupted, never failed.
/// Counted over all members, the coordinator side was the minority and downed itself.
/// </summary>
public sealed class SpotPoolClusterTests : SqliteClusterHarness
{
    private long Journal(string sql) => (long)Rows(sql, journal: true).Single()[0]!;

    [Fact]
    public async Task Losing_three_of_four_workers_at_once_and_freezing_the_last_never_downs_the_coordinator_and_charges_no_trial()
    {
        int c = TestMachine.FreePort();
        var coordinator = await Node("c", "coordinator", c, null);
        // Started together: each joins through the coordinator on its own.
        var workers = (await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Node($"w{i}", "worker", TestMachine.FreePort(), c, "--trial-runner", "noop:3")))).ToList();
        var submit = Start("submit", "submit", SweepFileWith("spot", """
            dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
            base { batch-size = 16, epochs = 1 }
            grid { seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }
            metrics { flatness = [] }
            """), "--seed", $"127.0.0.1:{c}", "--quiet");
        var clock = Stopwatch.StartNew();
        while ((long)Rows("SELECT count(*) FROM trials WHERE sweep = 'spot' AND status = 'running'").Single()[0]! < 4)
        {
            Assert.True(clock.Elapsed < Sweep, "four trials never ran at once");
            await Task.Delay(200);
            SqliteConnection.ClearAllPools();
        }

        // Three workers die in the same second, with their trials; the fourth stops answering for 30 s.
        foreach (var worker in workers.Take(3)) worker.Kill();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await FreezeOutsideAWrite(workers[3]);
        await Task.Delay(TimeSpan.FromSeconds(30));
        Assert.False(coordinator.HasExited, "the coordinator node downed itself: " + string.Join('\n', coordinator.Lines.TakeLast(5)));
        Assert.False(submit.HasExited, "the client was downed with the coordinator: " + string.Join('\n', submit.Lines.TakeLast(5)));
        workers[3].Thaw();
        // The frozen worker was downed meanwhile: it finds itself removed and stops.
        Assert.Equal(1, await WaitForExit(workers[3], Up));
        Assert.Contains(workers[3].Lines, l => l.Contains("the cluster removed it", StringComparison.Ordinal));

        // Fresh workers (the pool coming back) finish the sweep.
        await Node("w4", "worker", TestMachine.FreePort(), c, "--slots", "4", "--trial-runner", "noop:3");
        Assert.Equal(0, await WaitForExit(submit, Sweep));
        Assert.False(coordinator.HasExited);
        SqliteConnection.ClearAllPools();
        Assert.Equal(12, Journal("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-spot' AND manifest = 'trial-finished'"));
        Assert.Equal(0, Journal("SELECT count(*) FROM journal WHERE manifest = 'trial-attempt-failed'"));
        Assert.True(Journal("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-spot' AND manifest = 'trial-interrupted'") >= 4,
            "the four trials on the lost workers were not re-queued as interrupted");
        Assert.Equal(0, Journal("SELECT count(*) FROM (SELECT persistence_id FROM journal WHERE manifest = 'outcome-recorded' GROUP BY persistence_id HAVING count(*) > 1) AS twice"));
        Assert.Equal(12, (long)Rows("SELECT count(*) FROM trials WHERE sweep = 'spot' AND status = 'completed'").Single()[0]!);
    }
}
