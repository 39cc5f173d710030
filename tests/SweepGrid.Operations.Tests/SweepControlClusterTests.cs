using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Operations.Tests;

/// <summary>
/// `sweepgrid cancel`, `pause`, `resume` and `priority` against a cluster of real processes: journaled by
/// the sweep's coordinator before they are answered, so they survive its node's death; a running trial
/// is handed back by its slot (not killed, not charged); nothing else in the store is touched.
/// </summary>
public sealed class SweepControlClusterTests : SqliteClusterHarness
{
    private string SweepOf(string name, int trials) => SweepFileWith(name, $$"""
        dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
        base { batch-size = 16, epochs = 1 }
        grid { seed = [{{string.Join(", ", Enumerable.Range(1, trials))}}] }
        metrics { flatness = [] }
        """);

    private long Count(string sql) => (long)Rows(sql).Single()[0]!;

    private long InJournal(string sql) => (long)Rows(sql, journal: true).Single()[0]!;

    private async Task WaitUntil(Func<bool> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within) Assert.Fail($"{what}: not within {within.TotalSeconds:F0} s");
            await Task.Delay(200);
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// Trials on the slow worker: enough that the sweep cannot end before a control sent at its start is
    /// answered or has failed the test (the control client's own deadline, <see cref="ClusterHarness.Up"/>):
    /// under load the client takes seconds to join, and a shorter sweep once ended first (a CI run: "has
    /// finished: nothing to pause"). What is left after the control runs on a fast worker (<see cref="SwapToAFastWorker"/>).
    /// </summary>
    private static int SlowTrials(int slots, int seconds) => 2 * slots * ((int)Up.TotalSeconds / seconds + 2);

    /// <summary>The idle slow worker leaves gracefully (SIGTERM: nothing of it to re-queue) and one of no-op trials of no length joins.</summary>
    private async Task SwapToAFastWorker(ClusterProcess slow, int seed)
    {
        slow.Terminate();
        await AssertExits(0, slow, Up);
        await Node("fast", "worker", TestMachine.FreePort(), seed, "--slots", "8", "--trial-runner", "noop");
    }

    private async Task<(int Exit, IReadOnlyList<string> Lines)> Control(int seed, params string[] args)
    {
        var control = Start(args[0], [.. args, "--seed", $"127.0.0.1:{seed}"]);
        int exit = await WaitForExit(control, Up);
        return (exit, control.Lines);
    }

    [Fact]
    public async Task Cancel_stops_running_trials_at_once_cancels_the_rest_keeps_results_and_a_resubmission_runs_only_what_was_not_done()
    {
        int c = TestMachine.FreePort();
        await Node("c", "coordinator", c, null);
        var worker = await Node("w", "worker", TestMachine.FreePort(), c, "--slots", "4", "--trial-runner", "noop:4");
        // Another sweep beside it, which the cancel must not touch.
        var other = Start("other", "submit", SweepOf("other", 2), "--seed", $"127.0.0.1:{c}", "--quiet");
        int trials = SlowTrials(slots: 4, seconds: 4);
        var file = SweepOf("ctl", trials);
        var submit = Start("submit", "submit", file, "--seed", $"127.0.0.1:{c}", "--quiet");
        Assert.Equal(0, await WaitForExit(other, Sweep));
        // Some trials have results and four are running (each sleeps 4 s) when the cancel comes.
        await WaitUntil(() => Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'completed'") >= 4
                              && Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'running'") == 4, Sweep, "4 completed and 4 running");

        var clock = Stopwatch.StartNew();
        var (exit, lines) = await Control(c, "cancel", "ctl");
        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("sweep ctl: cancelled;", StringComparison.Ordinal) && l.Contains("running trial(s) stop", StringComparison.Ordinal));
        await WaitUntil(() => Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'running'") == 0, TimeSpan.FromSeconds(30), "the running trials stopped");
        var stoppedAfter = clock.Elapsed;
        Console.WriteLine($"cancel: running trials stopped {stoppedAfter.TotalSeconds:F1} s after the command was started");

        // The follower sees the sweep end, cancelled: exit 1, with the counts.
        Assert.Equal(1, await WaitForExit(submit, Up));
        Assert.Contains(submit.Lines, l => l.Contains("cancelled", StringComparison.Ordinal) && l.StartsWith("sweep ctl:", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
        long completed = Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'completed'");
        Assert.Equal(trials - completed, Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'cancelled'"));
        Assert.Equal(0, InJournal("SELECT count(*) FROM journal WHERE manifest IN ('trial-attempt-failed', 'trial-interrupted')"));
        Assert.Equal("cancelled", (string)Rows("SELECT standing FROM sweeps WHERE sweep = 'ctl'").Single()[0]!);
        // Nothing of the other sweep changed.
        Assert.Equal(2, Count("SELECT count(*) FROM trials WHERE sweep = 'other' AND status = 'completed'"));
        Assert.Equal("open", (string)Rows("SELECT standing FROM sweeps WHERE sweep = 'other'").Single()[0]!);

        // Bad input: one line, exit 2, nothing changed.
        foreach (var (args, says) in new (string[], string)[]
                 {
                     // What only the cluster can judge; a priority out of range is refused by the client (ControlStoreTests).
                     (["cancel", "ctl"], "already cancelled"), (["cancel", "other"], "has finished"), (["pause", "nosuch"], "not known"),
                 })
        {
            var (badExit, badLines) = await Control(c, args);
            Assert.True(badExit == 2, $"{string.Join(' ', args)}: exit {badExit}\n{string.Join('\n', badLines)}");
            Assert.Contains(badLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains(says, StringComparison.Ordinal));
        }

        Assert.Equal(trials - completed, Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'cancelled'"));

        // The same file again: only the cancelled trials run; nothing ran twice.
        await SwapToAFastWorker(worker, c);
        var again = Start("again", "submit", file, "--seed", $"127.0.0.1:{c}", "--quiet");
        Assert.Equal(0, await WaitForExit(again, Sweep));
        Assert.Contains(again.Lines, l => l.Contains($"{trials} trials, 0 new, {completed} already finished", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
        Assert.Equal(trials, Count("SELECT count(*) FROM trials WHERE sweep = 'ctl' AND status = 'completed'"));
        Assert.Equal(trials, InJournal("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-ctl' AND manifest = 'trial-finished'"));
        Assert.Equal(0, InJournal("SELECT count(*) FROM (SELECT persistence_id FROM journal WHERE manifest = 'outcome-recorded' GROUP BY persistence_id HAVING count(*) > 1) AS twice"));
    }

    [Fact]
    public async Task A_pause_survives_the_death_of_the_coordinator_node_and_resume_finishes_the_sweep_with_every_trial_once()
    {
        int c1 = TestMachine.FreePort(), c2 = TestMachine.FreePort();
        var first = await Node("c1", "coordinator", c1, null);
        // A third coordinator, so that losing c1 leaves a majority of them (hocon/cluster.conf, keep-majority.role).
        var nodes = await Task.WhenAll(Node("c2", "coordinator", c2, c1), Node("c3", "coordinator", TestMachine.FreePort(), c1),
            Node("w", "worker", TestMachine.FreePort(), c1, "--slots", "4", "--trial-runner", "noop:2"));
        int trials = SlowTrials(slots: 4, seconds: 2);
        var submit = Start("submit", "submit", SweepOf("paused", trials), "--seed", $"127.0.0.1:{c2}", "--quiet");
        await WaitUntil(() => Count("SELECT count(*) FROM trials WHERE sweep = 'paused' AND status = 'completed'") >= 4, Sweep, "4 completed");

        var (exit, lines) = await Control(c2, "pause", "paused");
        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("sweep paused: paused;", StringComparison.Ordinal));
        await WaitUntil(() => Count("SELECT count(*) FROM trials WHERE sweep = 'paused' AND status = 'running'") == 0, TimeSpan.FromSeconds(30), "the running trials handed back");

        // The director's node dies; the other coordinator node recovers the sweep, paused: asked to pause
        // again once it answers, the recovered coordinator says it already is.
        first.Kill();
        var clock = Stopwatch.StartNew();
        (exit, lines) = await Control(c2, "pause", "paused");
        while (exit != 0 && clock.Elapsed < Up) (exit, lines) = await Control(c2, "pause", "paused");
        Assert.True(exit == 0, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("sweep paused: already paused", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
        long assignedBefore = InJournal("SELECT count(*) FROM journal WHERE manifest = 'trial-assigned'");
        await Task.Delay(TimeSpan.FromSeconds(6));
        SqliteConnection.ClearAllPools();
        Assert.Equal(assignedBefore, InJournal("SELECT count(*) FROM journal WHERE manifest = 'trial-assigned'"));
        long done = Count("SELECT count(*) FROM trials WHERE sweep = 'paused' AND status = 'completed'");
        Assert.True(done < trials, "the sweep ran on while paused");
        Assert.Equal("paused", (string)Rows("SELECT standing FROM sweeps WHERE sweep = 'paused'").Single()[0]!);

        await SwapToAFastWorker(nodes[2], c2);
        var resume = Start("resume", "resume", "paused", "--seed", $"127.0.0.1:{c2}", "--quiet");
        Assert.Equal(0, await WaitForExit(resume, Sweep));
        Assert.Contains(resume.Lines, l => l.Contains("sweep paused: resumed;", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
        Assert.Equal(trials, Count("SELECT count(*) FROM trials WHERE sweep = 'paused' AND status = 'completed'"));
        Assert.Equal(trials, InJournal("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-paused' AND manifest = 'trial-finished'"));
        Assert.Equal(0, InJournal("SELECT count(*) FROM journal WHERE manifest = 'trial-attempt-failed'"));
        Assert.Equal(0, InJournal("SELECT count(*) FROM (SELECT persistence_id FROM journal WHERE manifest = 'outcome-recorded' GROUP BY persistence_id HAVING count(*) > 1) AS twice"));
        submit.Kill();
    }
}
