using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Integration.Tests;

/// <summary>
/// A worker node frozen (SIGSTOP) for longer than the cluster takes to down it, then continued: the
/// cluster has given its trial to another slot, which finishes it; the woken node, downed, must write
/// nothing over that attempt's results. Every stored row says which attempt wrote it, so the test reads
/// the guarantee off the tables: every epoch the finishing attempt ran is that attempt's.
/// </summary>
public sealed class ClusterFreezeTests : SqliteClusterHarness
{
    [Fact]
    public Task A_node_frozen_past_the_downing_time_while_its_worker_trains_on_writes_nothing_over_the_attempt_that_finished_its_trial() =>
        FreezeAWorkerNode(withItsWorker: false);

    [Fact]
    public Task A_node_frozen_with_its_worker_past_the_downing_time_writes_nothing_over_the_attempt_that_finished_its_trial() =>
        FreezeAWorkerNode(withItsWorker: true);

    private async Task FreezeAWorkerNode(bool withItsWorker)
    {
        // The coordinator trains nothing, so only the frozen node's slot and the other worker's run trials.
        int a = TestMachine.FreePort(), b = TestMachine.FreePort(), c = TestMachine.FreePort();
        await Node("a", "coordinator", a, null);
        var nodeB = await Node("b", "worker", b, a);
        await Node("c", "worker", c, a);
        var submit = Submit(a);

        var (frozen, workers) = await FreezeWithATrialRunning(submit, nodeB, b, workersToo: withItsWorker);
        // Frozen until its trial has been given to the other node (after the downing time) and completed there.
        await submit.WaitForLine(l => Words(l) is [_, "completed", var id, ..] && id == frozen, Sweep);
        nodeB.Thaw();
        if (withItsWorker) foreach (var worker in workers) ClusterProcess.Signal(worker, stop: false);

        Assert.Equal(0, await WaitForExit(submit, Sweep));
        // The woken node learns that it was downed and stops.
        await AssertExits(1, nodeB, TimeSpan.FromMinutes(2));
        Assert.Contains("node stopped: the cluster removed it (see the log)", nodeB.Lines);
        Assert.Contains(submit.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        var row = TrialRow(frozen);
        Assert.True(row.Attempts >= 2, $"trial {frozen} ran {row.Attempts} attempt(s)");
        var failures = Rows("SELECT CAST(message AS TEXT) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-attempt-failed'", journal: true);
        Assert.True(failures.Count == 0, $"attempts counted as failed: {string.Join("; ", failures.Select(f => f[0]))}\n{CrashDetails()}");
        AssertRowsAreTheFinishingAttempts();
        // The woken node stopped the attempt it still held before relaying anything of it (or had its reports refused).
        Assert.True(nodeB.Lines.Any(l => l.Contains($"Trial {frozen} of sweep faults: this node stood still", StringComparison.Ordinal)
                                         || l.Contains($"Trial {frozen} of sweep faults: refused the reports of attempt", StringComparison.Ordinal)),
            string.Join('\n', nodeB.Lines.Where(l => !l.StartsWith("   at ", StringComparison.Ordinal)).TakeLast(40)));
        // And no worker of it trains on.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (workers.Any(w => Directory.Exists($"/proc/{w}")) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.All(workers, w => Assert.False(Directory.Exists($"/proc/{w}"), $"worker {w} outlived its downed node"));
    }

    /// <summary>
    /// Every epoch and point of every trial was written by the attempt whose outcome is stored, but for
    /// those before the epoch it resumed from, which an earlier attempt may have written; none by a later one.
    /// </summary>
    private void AssertRowsAreTheFinishingAttempts()
    {
        SqliteConnection.ClearAllPools();
        foreach (var table in new[] { "epochs", "points" })
        {
            var wrong = Rows($"""
                SELECT r.trial, r.epoch, r.attempt, t.outcome_attempt, t.resumed_from_epoch FROM {table} r JOIN trials t ON t.sweep = r.sweep AND t.trial = r.trial
                WHERE r.sweep = 'faults' AND (r.attempt > t.outcome_attempt OR (r.epoch > COALESCE(t.resumed_from_epoch, 0) AND r.attempt <> t.outcome_attempt))
                """);
            Assert.True(wrong.Count == 0, $"{table} rows of another attempt than the one that finished: " +
                                          string.Join("; ", wrong.Select(w => $"trial {w[0]} epoch {w[1]} by attempt {w[2]} (finished by {w[3]}, resumed from epoch {w[4]})")));
        }
    }
}
