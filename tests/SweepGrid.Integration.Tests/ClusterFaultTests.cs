using Microsoft.Data.Sqlite;

namespace SweepGrid.Integration.Tests;

/// <summary>
/// Real `sweepgrid node` processes on 127.0.0.1 sharing one store, a real `submit` client, and SIGKILL.
/// Whatever dies, every trial ends completed exactly once, resumed trials pick up from their
/// checkpoints, and no trajectory point is missing or doubled.
/// </summary>
public sealed class ClusterFaultTests : IDisposable
{
    private const int Trials = 12, Epochs = 5;
    private static readonly TimeSpan Up = TimeSpan.FromSeconds(60), Sweep = TimeSpan.FromMinutes(4);

    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-cluster-").FullName;
    private readonly List<ClusterProcess> _processes = [];

    private string Store => Path.Combine(_dir, "store");

    private string SweepFile { get; }

    public ClusterFaultTests()
    {
        SweepFile = Path.Combine(_dir, "cluster.hocon");
        File.WriteAllText(SweepFile, $$"""
            sweep {
              name = faults
              dataset { name = synthetic, synthetic { train-size = 2048, test-size = 256, features = 64, classes = 4 } }
              model { hidden = [256, 256] }
              base { batch-size = 32, learning-rate = 0.02, epochs = {{Epochs}} }
              grid { seed = [{{string.Join(", ", Enumerable.Range(1, Trials))}}] }
              metrics { every-steps = 16, flatness = [] }
            }
            """);
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<ClusterProcess> Node(string name, string roles, int port, int? seed)
    {
        string[] args = ["node", "--roles", roles, "--port", $"{port}", "--store", Store, "--slots", "1"];
        if (seed is { } s) args = [.. args, "--seed", $"127.0.0.1:{s}"];
        var node = Start(name, args);
        await node.WaitForLine(l => l.Contains("is up", StringComparison.Ordinal), Up);
        return node;
    }

    private ClusterProcess Start(string name, params string[] args)
    {
        var process = new ClusterProcess(name, args);
        _processes.Add(process);
        return process;
    }

    private ClusterProcess Submit(int seed) => Start("submit", "submit", SweepFile, "--seed", $"127.0.0.1:{seed}");

    /// <summary>
    /// Waits until a trial that is still running, on a slot of the node at <paramref name="port"/> (any
    /// node if null), has finished 2 epochs, so it has a checkpoint; returns its id.
    /// </summary>
    private static async Task<string> TrialTwoEpochsInOn(ClusterProcess submit, int? port)
    {
        bool Settled(string id) => submit.Lines.Any(l => Words(l) is [_, "completed" or "diverged" or "failed", var t, ..] && t == id);
        bool OnNode(string id) => port is null || submit.Lines.Any(l =>
            Words(l) is [_, "start", var t, ..] && t == id && l.Contains($":{port}/slot-", StringComparison.Ordinal));
        var line = await submit.WaitForLine(l => Words(l) is [_, "epoch", var id, var progress, ..]
            && progress.StartsWith("2/", StringComparison.Ordinal) && OnNode(id) && !Settled(id), Sweep);
        return Words(line)[2];
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Killing_a_worker_mid_trial_loses_and_duplicates_nothing()
    {
        int a = ClusterProcess.FreePort(), b = ClusterProcess.FreePort(), c = ClusterProcess.FreePort();
        await Node("a", "coordinator,worker", a, null);
        var nodeB = await Node("b", "worker", b, a);
        await Node("c", "worker", c, a);
        var submit = Submit(a);

        var killed = await TrialTwoEpochsInOn(submit, b);
        nodeB.Kill();

        await AssertCompletedWithResumed(submit, killed);
    }

    [Fact]
    public async Task Killing_the_node_holding_the_coordinator_hands_it_over_and_the_sweep_completes()
    {
        int a = ClusterProcess.FreePort(), b = ClusterProcess.FreePort(), c = ClusterProcess.FreePort();
        var nodeA = await Node("a", "coordinator,worker", a, null);
        await Node("b", "coordinator,worker", b, a);
        await Node("c", "worker", c, a);
        var submit = Submit(a);

        // Kill the director's node while its own slot is mid-trial: that trial must move and resume.
        var killed = await TrialTwoEpochsInOn(submit, a);
        nodeA.Kill();

        await AssertCompletedWithResumed(submit, killed);
    }

    [Fact]
    public async Task After_killing_everything_resume_finishes_only_what_was_not_finished()
    {
        int a = ClusterProcess.FreePort(), b = ClusterProcess.FreePort();
        var nodeA = await Node("a", "coordinator,worker", a, null);
        var nodeB = await Node("b", "worker", b, a);
        var submit = Submit(a);
        await submit.WaitForLine(l => Words(l) is [_, "completed", ..], Sweep);
        await TrialTwoEpochsInOn(submit, null);
        foreach (var p in new[] { submit, nodeA, nodeB }) p.Kill();
        SqliteConnection.ClearAllPools();
        var finishedBefore = Rows("SELECT trial FROM trials WHERE sweep = 'faults' AND status = 'completed'").Select(r => (string)r[0]!).ToHashSet();
        Assert.InRange(finishedBefore.Count, 1, Trials - 1);
        var epochsBefore = Rows("SELECT trial, count(*) FROM trajectory WHERE sweep = 'faults' GROUP BY trial").ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        var checkpointed = Directory.GetFiles(Path.Combine(Store, "checkpoints", "faults"), "*.ckpt").Select(f => Path.GetFileNameWithoutExtension(f)).ToList();
        Assert.NotEmpty(checkpointed);

        int a2 = ClusterProcess.FreePort();
        await Node("a2", "coordinator,worker", a2, null);
        await Node("b2", "worker", ClusterProcess.FreePort(), a2);
        var resume = Start("resume", "resume", "faults", "--seed", $"127.0.0.1:{a2}");

        Assert.Equal(0, await resume.WaitForExit(Sweep));
        Assert.Contains(resume.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        // Trials finished before the stop were not started again.
        Assert.DoesNotContain(resume.Lines, l => Words(l) is [_, "start", var id, ..] && finishedBefore.Contains(id));
        foreach (var trial in finishedBefore) Assert.Equal(1, TrialRow(trial).Attempts);
        // Every trial that had a checkpoint when everything died resumed from it.
        Assert.All(checkpointed, t => Assert.True(TrialRow(t).ResumedFromEpoch >= 1, $"trial {t} had a checkpoint but started over"));
        Assert.All(epochsBefore, e => Assert.True(e.Value <= Epochs));
    }

    /// <summary>The client saw every trial complete, exactly once, and the killed trial moved and resumed from its checkpoint.</summary>
    private async Task AssertCompletedWithResumed(ClusterProcess submit, string killed)
    {
        Assert.Equal(0, await submit.WaitForExit(Sweep));
        Assert.Contains(submit.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        var row = TrialRow(killed);
        Assert.True(row.Attempts >= 2, $"trial {killed} ran {row.Attempts} attempt(s)");
        Assert.True(row.ResumedFromEpoch >= 1, $"trial {killed} did not resume from a checkpoint (resumed_from_epoch {row.ResumedFromEpoch})");
    }

    /// <summary>
    /// One TrialFinished per trial in the coordinator's journal, one stored outcome per trial in its
    /// recorder's, every trial completed with epochs 1..E once each and no trajectory point twice.
    /// </summary>
    private void AssertExactlyOnce()
    {
        SqliteConnection.ClearAllPools();
        var finished = Rows("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-finished'", "journal.db");
        Assert.Equal((long)Trials, finished.Single()[0]);
        var outcomes = Rows("SELECT persistence_id, count(*) FROM journal WHERE manifest = 'outcome-recorded' GROUP BY persistence_id", "journal.db");
        Assert.Equal(Trials, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(1L, o[1]));
        var statuses = Rows("SELECT status, count(*) FROM trials WHERE sweep = 'faults' GROUP BY status");
        Assert.Equal([("completed", (long)Trials)], statuses.Select(r => ((string)r[0]!, (long)r[1]!)));
        var epochs = Rows("SELECT trial, group_concat(epoch) FROM (SELECT trial, epoch FROM trajectory WHERE sweep = 'faults' ORDER BY trial, epoch) GROUP BY trial");
        Assert.Equal(Trials, epochs.Count);
        Assert.All(epochs, e => Assert.Equal(string.Join(',', Enumerable.Range(1, Epochs)), (string)e[1]!));
        var points = Rows("SELECT count(*), count(DISTINCT trial || ':' || step) FROM points WHERE sweep = 'faults'").Single();
        Assert.Equal(points[0], points[1]);
    }

    private (long Attempts, long? ResumedFromEpoch) TrialRow(string trial)
    {
        var row = Rows($"SELECT attempts, resumed_from_epoch FROM trials WHERE sweep = 'faults' AND trial = '{trial}'").Single();
        return ((long)row[0]!, row[1] as long?);
    }

    private List<object?[]> Rows(string sql, string file = "results.db")
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, file)};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }

        return rows;
    }
}
