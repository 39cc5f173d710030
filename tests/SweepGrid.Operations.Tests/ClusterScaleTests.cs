using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Operations.Tests;

/// <summary>
/// Sweeps at the scale users run them, on real node processes with the embedded (SQLite) store: a
/// submission travels as its definition, never as its trials, so 2,000 trials are submitted and
/// followed as easily as 12 (before, 200 could not be submitted and 100 could not be followed to the
/// end). And the cluster, not the client, checks what only it can: the data and its size limit.
/// </summary>
public sealed class ClusterScaleTests : SqliteClusterHarness
{
    private static string Axis(int count, Func<int, string> value) => $"[{string.Join(", ", Enumerable.Range(1, count).Select(value))}]";

    /// <summary>A client in an empty folder: it sees none of the data the nodes see.</summary>
    private ClusterProcess SubmitFromElsewhere(string name, string file, int seed)
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(Dir, $"client-{name}")).FullName;
        return StartIn(elsewhere, name, "submit", file, "--seed", $"127.0.0.1:{seed}", "--quiet");
    }

    [Fact]
    public async Task Two_thousand_trials_are_submitted_followed_to_the_end_and_stored_once_and_the_cluster_checks_data_and_size()
    {
        int a = TestMachine.FreePort();
        await Node("a", "coordinator,worker", a, null, "--slots", "2");
        await Node("b", "worker", TestMachine.FreePort(), a, "--slots", "2");

        // Over the cluster's limit (100,000 by default): refused before anything is expanded or stored.
        var tooLarge = SubmitFromElsewhere("too-large", SweepFileWith("too-large", $$"""
            dataset { name = synthetic }
            grid { seed = {{Axis(1000, i => $"{i}")}}, regularizer-strength = {{Axis(200, i => $"{i}e-6")}} }
            """), a);
        Assert.Equal(2, await tooLarge.WaitForExit(Up));
        Assert.Contains(tooLarge.Lines, l => l.Contains("too-large.hocon: sweep.grid: 200,000 trials", StringComparison.Ordinal)
                                             && l.Contains("sweepgrid.sweeps.max-trials", StringComparison.Ordinal));

        // Data the nodes cannot read: the same one-line error as `run` gives, exit code 2.
        var missing = SweepFileWith("missing", $$"""
            dataset { name = fashion-mnist, path = {{Path.Combine(Dir, "no-such-data")}} }
            """);
        var badData = SubmitFromElsewhere("bad-data", missing, a);
        Assert.Equal(2, await badData.WaitForExit(Up));
        var run = Start("run", "run", missing, "--store", Path.Combine(Dir, "run-store"));
        Assert.Equal(2, await run.WaitForExit(Up));
        var runError = Assert.Single(run.Lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(runError, badData.Lines);
        Assert.Contains("sweep.dataset.path", runError);
        // A client that stops at once after an answer used to end with Akka's shutdown lines on the console.
        Assert.Empty(AkkaConsole.LogLines(badData.Lines.Concat(tooLarge.Lines)));
        Assert.False(Directory.Exists(Path.Combine(Dir, "run-store")));

        // Data the client does not have but the nodes do (the bundled sample, relative to their folder).
        var remote = SubmitFromElsewhere("remote-data", SweepFileWith("remote-data", """
            dataset { name = fashion-mnist, path = data/fashion-mnist, train-subset = 500 }
            model { hidden = [16] }
            base { batch-size = 100, epochs = 1 }
            grid { seed = [1, 2] }
            metrics { flatness = [] }
            """), a);
        Assert.Equal(0, await WaitForExit(remote, Sweep));
        Assert.Contains("sweep remote-data: 2 completed, 0 diverged, 0 failed", remote.Lines);

        // 2,000 tiny trials, trained for real, submitted and followed from a client without the files.
        const int Trials = 2000;
        var scale = SubmitFromElsewhere("scale", SweepFileWith("scale", $$"""
            dataset { name = synthetic, synthetic { train-size = 64, test-size = 32, features = 4, classes = 2 } }
            model { hidden = [4] }
            base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
            grid { seed = {{Axis(100, i => $"{i}")}}, regularizer-strength = {{Axis(20, i => $"{i}e-5")}} }
            metrics { every-steps = 1000, flatness = [] }
            checkpoint { every-epochs = 0 }
            """), a);
        Assert.Equal(0, await scale.WaitForExit(TimeSpan.FromMinutes(8)));
        Assert.Contains($"sweep scale submitted: {Trials} trials, {Trials} new, 0 already finished (not re-run)", scale.Lines);
        Assert.Contains($"sweep scale: {Trials} completed, 0 diverged, 0 failed", scale.Lines);
        Assert.Empty(AkkaConsole.LogLines(scale.Lines));
        Assert.Equal(Trials, scale.Lines.Count(l => Words(l) is [_, "completed", _, ..]));

        SqliteConnection.ClearAllPools();
        Assert.Equal([("completed", 1L, (long)Trials)],
            Rows("SELECT status, attempts, count(*) FROM trials WHERE sweep = 'scale' GROUP BY status, attempts").Select(r => ((string)r[0]!, (long)r[1]!, (long)r[2]!)));
        Assert.Equal((long)Trials, Rows("SELECT count(DISTINCT trial) FROM epochs WHERE sweep = 'scale' AND epoch = 1").Single()[0]);
        Assert.Equal((long)Trials, Rows("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-scale' AND manifest = 'trial-finished'", journal: true).Single()[0]);
        var outcomes = Rows("SELECT count(*), count(DISTINCT persistence_id) FROM journal WHERE persistence_id LIKE 'trial-scale-%' AND manifest = 'outcome-recorded'", journal: true).Single();
        Assert.Equal(((long)Trials, (long)Trials), ((long)outcomes[0]!, (long)outcomes[1]!));
        // Nothing the director or a coordinator journaled grows with the sweep: its largest event is its definition.
        var largest = Rows("SELECT max(length(message)) FROM journal WHERE persistence_id IN ('director', 'sweep-scale')", journal: true).Single()[0];
        Assert.InRange((long)largest!, 1, 16 * 1024);
        // Refused sweeps left nothing behind.
        Assert.Equal(["remote-data", "scale"], Rows("SELECT sweep FROM sweeps ORDER BY sweep").Select(r => (string)r[0]!));
    }
}
