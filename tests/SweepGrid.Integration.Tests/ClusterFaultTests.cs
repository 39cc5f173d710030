using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Integration.Tests;

/// <summary>Node kills and shutdowns on the cluster with the embedded store.</summary>
public sealed class ClusterFaultTests : SqliteClusterHarness
{
    [Fact]
    public Task Killing_a_worker_mid_trial_loses_and_duplicates_nothing() => KillAWorkerMidTrial();

    [Fact]
    public async Task SIGTERM_to_a_worker_checkpoints_its_trial_which_finishes_elsewhere_without_counting_a_failure()
    {
        // No periodic checkpoints: a resumed trial can only have resumed from the one the shutdown wrote.
        WriteSweep("checkpoint { every-epochs = 0 }");
        int a = TestMachine.FreePort(), b = TestMachine.FreePort(), c = TestMachine.FreePort();
        await Node("a", "coordinator,worker", a, null);
        // Started as on Kubernetes: listening on all interfaces under a name (not the address it
        // listens on), with the configuration read from a folder (there, the ConfigMap from hocon/).
        var hocon = Path.Combine(TestMachine.RepoRoot(), "hocon");
        var nodeB = await Node("b", "worker", b, a, "--host", "localhost", "--bind-host", "0.0.0.0", "--config-dir", hocon);
        await Node("c", "worker", c, a);
        var submit = Submit(a);

        // The notice comes while the trial runs: frozen with it unfinished, given SIGTERM, continued (the node
        // first, so that its release is on the way before the worker takes another step).
        var (released, workers) = await FreezeWithATrialRunning(submit, nodeB, b, workersToo: true, checkpointed: false);
        nodeB.Terminate();
        nodeB.Thaw();
        foreach (var worker in workers) ClusterProcess.Signal(worker, stop: false);

        await AssertExits(0, nodeB, TimeSpan.FromMinutes(2));
        // Stopped after the step it was taking (or at an epoch's end, if the notice came during its evaluation), checkpointed there.
        var note = nodeB.Lines.FirstOrDefault(l => l.StartsWith($"released trial {released} ", StringComparison.Ordinal));
        var at = System.Text.RegularExpressions.Regex.Match(note ?? "", @"handed back after epoch (\d+)(?: and (\d+) steps of the next)?, checkpointed$");
        Assert.True(at.Success, $"no hand-back with a checkpoint: {note ?? string.Join('\n', nodeB.Lines.TakeLast(10))}");
        Console.WriteLine(note);
        Assert.Contains("node left the cluster", nodeB.Lines);
        await AssertCompletedWithResumed(submit, released);
        int epochsDone = int.Parse(at.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(epochsDone >= 2, $"trial {released} was released after epoch {epochsDone}, before the epoch-2 line the test waited for");
        // The only checkpoint there was is the release's (no periodic ones): the next attempt resumed from it.
        Assert.Equal(epochsDone, TrialRow(released).ResumedFromEpoch);
        // Handed back, not lost: re-queued, and no attempt of any trial counted as a failure.
        var failures = Rows("SELECT CAST(message AS TEXT) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-attempt-failed'", journal: true);
        Assert.True(failures.Count == 0, $"attempts counted as failed: {string.Join("; ", failures.Select(f => f[0]))}\n{CrashDetails()}");
        var requeued = Rows("SELECT CAST(message AS TEXT) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-requeued'", journal: true);
        Assert.Contains(requeued, r => ((string)r[0]!).Contains(released, StringComparison.Ordinal) && ((string)r[0]!).Contains("shut down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Killing_the_node_holding_the_coordinator_hands_it_over_and_the_sweep_completes()
    {
        int a = TestMachine.FreePort(), b = TestMachine.FreePort(), c = TestMachine.FreePort();
        var nodeA = await Node("a", "coordinator,worker", a, null);
        // Three coordinators, as a cluster should run them: the split-brain resolver keeps the side with
        // most of them, and with two the loss of one is an even split that only the lower address wins.
        await Task.WhenAll(Node("b", "coordinator,worker", b, a), Node("c", "worker", c, a), Node("d", "coordinator", TestMachine.FreePort(), a));
        var submit = Submit(a);

        // Kill the director's node while its own slot is mid-trial: that trial must move and resume.
        var (killed, _) = await FreezeWithATrialRunning(submit, nodeA, a, workersToo: true);
        nodeA.Kill();

        await AssertCompletedWithResumed(submit, killed);
    }

    [Fact]
    public async Task After_killing_everything_resume_finishes_only_what_was_not_finished()
    {
        int a = TestMachine.FreePort(), b = TestMachine.FreePort();
        var nodeA = await Node("a", "coordinator,worker", a, null);
        var nodeB = await Node("b", "worker", b, a);
        var submit = Submit(a);
        await submit.WaitForLine(l => Words(l) is [_, "completed", ..], Sweep);
        await TrialTwoEpochsInOn(submit, null);
        await FreezeWithACheckpoint(submit, nodeA, nodeB);
        foreach (var p in new[] { submit, nodeA, nodeB }) p.Kill();
        SqliteConnection.ClearAllPools();
        // Finished means its outcome is in the journal. The trials table is a projection of it that can lag a
        // kill by a moment (a CI-like run: a trial whose outcome was journaled, its row not yet completed,
        // counted as unfinished and expected to resume); resume reads the journal.
        var finishedBefore = Rows("SELECT persistence_id FROM journal WHERE persistence_id LIKE 'trial-faults-%' AND manifest = 'outcome-recorded'", journal: true)
            .Select(r => ((string)r[0]!)["trial-faults-".Length..]).ToHashSet();
        Assert.InRange(finishedBefore.Count, 1, Trials - 1);
        var epochsBefore = Rows("SELECT trial, count(*) FROM epochs WHERE sweep = 'faults' GROUP BY trial").ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        // A trial whose outcome was stored in the moment before its slot deleted the checkpoint is finished, not checkpointed.
        var checkpointed = CheckpointedTrials().Except(finishedBefore).ToList();
        var filesAtKill = string.Join(", ", Directory.GetFiles(Path.Combine(Store, "checkpoints", "faults")).Select(Path.GetFileName));
        Assert.True(checkpointed.Count > 0, "no checkpoint; the store holds: " + string.Join(", ", Directory.GetFileSystemEntries(Store, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Store, f))));

        int a2 = TestMachine.FreePort();
        await Node("a2", "coordinator,worker", a2, null);
        await Node("b2", "worker", TestMachine.FreePort(), a2);
        var resume = Start("resume", "resume", "faults", "--seed", $"127.0.0.1:{a2}");

        Assert.Equal(0, await WaitForExit(resume, Sweep));
        Assert.Contains(resume.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        // Trials finished before the stop were not started again.
        Assert.DoesNotContain(resume.Lines, l => Words(l) is [_, "start", var id, ..] && finishedBefore.Contains(id));
        foreach (var trial in finishedBefore) Assert.Equal(1, TrialRow(trial).Attempts);
        // Every trial that had a checkpoint when everything died resumed from it.
        Assert.All(checkpointed, t => Assert.True(TrialRow(t).ResumedFromEpoch >= 1, $"trial {t} had a checkpoint but started over (checkpoints at the kill: {filesAtKill})\n{TrialStory(t)}"));
        Assert.All(epochsBefore, e => Assert.True(e.Value <= Epochs));
    }

    /// <summary>
    /// The trials with a checkpoint file in the store. A kill between a save's two renames leaves only
    /// the previous generation (TRIAL.aN.ckpt.prev), which resume reads too.
    /// </summary>
    private List<string> CheckpointedTrials() =>
        Directory.GetFiles(Path.Combine(Store, "checkpoints", "faults"), "*.ckpt*")
            .Select(f => Path.GetFileName(f).Split('.')[0]).Where(Core.Sweeps.Names.IsTrialId).Distinct().ToList();

    /// <summary>
    /// Freezes the nodes (SIGSTOP) once some trial's checkpoint is in the store. A checkpoint is deleted
    /// only by its node's slot, when the trial's outcome is stored, so with the nodes frozen the files seen
    /// stay until the kill: the state the test needs, not a proxy for it (the client's epoch line can
    /// arrive after the trial has finished and its checkpoint is gone). If the nodes froze between
    /// checkpoints, they go on and the next epoch line is awaited.
    /// </summary>
    private async Task FreezeWithACheckpoint(ClusterProcess submit, params ClusterProcess[] nodes)
    {
        var deadline = DateTime.UtcNow + Sweep;
        while (true)
        {
            foreach (var node in nodes) node.Freeze();
            if (CheckpointedTrials().Count > 0) return;
            foreach (var node in nodes) node.Thaw();
            Assert.True(DateTime.UtcNow < deadline, $"no trial had a checkpoint in the store while the nodes were frozen, within {Sweep}");
            int epochs = submit.Lines.Count(l => Words(l) is [_, "epoch", ..]);
            await submit.WaitForLine(_ => submit.Lines.Count(l => Words(l) is [_, "epoch", ..]) > epochs, Sweep);
        }
    }
}
