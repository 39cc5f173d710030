using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Operations.Tests;

/// <summary>
/// Trials run in worker processes, one per slot (`sweepgrid worker`): a trial that kills its worker (a
/// native abort, an allocation beyond --slot-memory) fails with its cause, counted against itself only,
/// while every other trial on the node completes with no failure counted; the node process itself never
/// loads libtorch, and its workers do not outlive it.
/// </summary>
public sealed class TrialIsolationTests : SqliteClusterHarness
{
    private ClusterProcess SubmitSweep(string name, string body, int seed)
    {
        var file = SweepFileWith(name, $$"""
            dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 16, classes = 4 } }
            base { batch-size = 32, learning-rate = 0.05, epochs = 2 }
            metrics { flatness = [] }
            {{body}}
            """);
        return Start(name, "submit", file, "--seed", $"127.0.0.1:{seed}", "--quiet");
    }

    /// <summary>The worker processes of a node: its children running `sweepgrid worker`.</summary>
    private static List<int> Workers(ClusterProcess node) =>
        node.Children().Where(pid => Command(pid).Contains("worker", StringComparison.Ordinal)).ToList();

    private static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool LoadedLibtorch(int pid) => File.ReadLines($"/proc/{pid}/maps").Any(l => l.Contains("libtorch_cpu", StringComparison.Ordinal));

    [Fact]
    public async Task A_trial_that_kills_its_worker_fails_with_its_cause_while_the_other_trials_of_its_node_complete_with_no_failure()
    {
        int a = TestMachine.FreePort();
        var node = await Node("a", "coordinator,worker", a, null, "--slots", "2", "--slot-memory", "1G", "--test-abort-seed", "2");

        // Seed 2's worker aborts natively (SIGABRT) after its first epoch, every attempt.
        var isolation = SubmitSweep("isolation", "grid { seed = [1, 2, 3, 4, 5, 6] }", a);
        Assert.Equal(1, await WaitForExit(isolation, Sweep)); // a failed trial
        Assert.Contains("sweep isolation: 5 completed, 0 diverged, 1 failed", isolation.Lines);
        SqliteConnection.ClearAllPools();
        var rows = Rows("SELECT seed, status, attempts, reason FROM trials WHERE sweep = 'isolation' ORDER BY seed");
        Assert.Equal([(2L, "failed", 3L)], rows.Where(r => (string)r[1]! != "completed").Select(r => ((long)r[0]!, (string)r[1]!, (long)r[2]!)));
        Assert.Contains("signal 6 (aborted", (string)rows.Single(r => (long)r[0]! == 2)[3]!);
        Assert.All(rows.Where(r => (long)r[0]! != 2), r => Assert.Equal(1L, r[2]));
        // Three failures were counted, all against the trial at fault; none against its neighbours.
        var failures = Rows("SELECT CAST(message AS TEXT) FROM journal WHERE persistence_id = 'sweep-isolation' AND manifest = 'trial-attempt-failed'", journal: true);
        Assert.Equal(3, failures.Count);
        var failed = (string)Rows("SELECT trial FROM trials WHERE sweep = 'isolation' AND seed = 2").Single()[0]!;
        Assert.All(failures, f => Assert.Contains(failed, (string)f[0]!));

        // A model too large for --slot-memory 1G (1.6 GB of weights): the kernel kills its worker at the
        // limit of its memory cgroup (this machine, as root, can make one), and the reason says so. (With
        // 4G and a 6.4 GB model, filling 4 GiB three times was a fifth of the test's time.)
        var blowup = SubmitSweep("blowup", "model { hidden = [20000, 20000] }", a);
        Assert.Equal(1, await WaitForExit(blowup, Sweep));
        Assert.Contains("sweep blowup: 0 completed, 0 diverged, 1 failed", blowup.Lines);
        Assert.Contains("out of memory: the kernel killed it at its limit of 1 GiB", (string)Rows("SELECT reason FROM trials WHERE sweep = 'blowup'").Single()[0]!);

        // The node came through both: the next sweep runs, the node never loaded libtorch, its workers did.
        var after = SubmitSweep("after", "grid { seed = [1, 3] }", a); // seed 2 would abort again
        Assert.Equal(0, await WaitForExit(after, Sweep));
        // The blow-up's slot lost three workers in a row to the OOM killer: its next one starts after a
        // pause (4 s, WorkerHealth.Backoff), possibly after this sweep has already ended on the other slot,
        // and loads libtorch as it starts.
        var workers = Workers(node);
        for (var until = DateTime.UtcNow.AddSeconds(30); (workers.Count < 2 || !workers.All(LoadedLibtorch)) && DateTime.UtcNow < until; workers = Workers(node))
        {
            await Task.Delay(200);
        }

        Assert.Equal(2, workers.Count);
        Assert.False(LoadedLibtorch(node.ProcessId), "the node process mapped libtorch");
        Assert.All(workers, w => Assert.True(LoadedLibtorch(w), $"worker {w} did not load libtorch"));

        // The node dies alone (as when the OOM killer picks it): its workers see their input close and exit.
        node.KillAlone();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (workers.Any(w => Directory.Exists($"/proc/{w}")) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.All(workers, w => Assert.False(Directory.Exists($"/proc/{w}"), $"worker {w} outlived its node"));
    }
}
