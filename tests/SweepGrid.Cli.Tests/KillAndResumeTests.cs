using System.Diagnostics;

namespace SweepGrid.Cli.Tests;

/// <summary>A real process, SIGKILLed in the middle of a trial, then run again on the same store.</summary>
public sealed class KillAndResumeTests : TempDirectoryTest
{
    [Fact]
    public async Task Killed_mid_trial_status_shows_it_running_and_a_rerun_finishes_only_the_rest()
    {
        var file = Path.Combine(Dir, "k.hocon");
        File.WriteAllText(file, """
            sweep {
              name = killed
              dataset { name = synthetic, synthetic { train-size = 4096, test-size = 256, features = 64, classes = 4 } }
              model { hidden = [256, 256] }
              base { batch-size = 32, learning-rate = 0.02, epochs = 6 }
              grid { seed = [1, 2, 3, 4] }
              metrics { flatness = [] }
            }
            """);
        var store = Path.Combine(Dir, "store");
        using (var process = CliRunner.Start("run", file, "--store", store, "--slots", "2"))
        {
            // Kill once both running trials have finished their second epoch: each has checkpointed at
            // least epoch 1 (a checkpoint is written right after its epoch line), none has finished.
            var epochs = new Dictionary<string, int>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (epochs.Count(e => e.Value >= 2) < 2 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length > 3 && words[1] == "epoch") epochs[words[2]] = int.Parse(words[3].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
            }

            process.Kill();
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, epochs.Count(e => e.Value >= 2));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // What the store held at the kill. The epoch lines reach this test through a pipe, behind the process: on a
        // busy machine a trial could finish between the line read and the kill (seen once in CI), so the
        // expectations below are the store's, not "none finished".
        var atKill = new Store.ResultsStore(store).Read.Trials("killed");
        int finishedBefore = atKill.Count(t => t.Status == "completed"), runningBefore = atKill.Count(t => t.Status == "running");
        // A kill between a save's two renames leaves only the previous generation (.prev), which resume reads too.
        var checkpointed = atKill.Where(t => t.Status == "running" && new[] { ".a1.ckpt", ".a1.ckpt.prev" }
                .Any(suffix => File.Exists(Path.Combine(store, "checkpoints", "killed", t.Trial + suffix))))
            .Select(t => t.Trial).ToHashSet();
        Assert.Equal(2, runningBefore);
        Assert.InRange(finishedBefore, 0, 2);
        var status = await CliRunner.Run("status", "killed", "--store", store);
        var rerun = await CliRunner.Run("run", file, "--store", store, "--slots", "2");
        var after = await CliRunner.Run("status", "killed", "--store", store);

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("running:", status.Output);
        Assert.Equal(runningBefore, status.Output.Split('\n').Count(l => l.Contains("attempt 1", StringComparison.Ordinal) && l.Contains("/slot-", StringComparison.Ordinal)));
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains($"4 trials in the store, 0 new, {finishedBefore} already finished", rerun.Output);
        Assert.Contains("sweep killed: 4 completed, 0 diverged, 0 failed", rerun.Output);
        // The interrupted trials ran again as attempt 2; the ones never started, once.
        Assert.Equal(runningBefore, rerun.Output.Split('\n').Count(l => l.Contains(" attempt 2 on ", StringComparison.Ordinal)));
        var row = after.Output.Split('\n').Single(l => l.StartsWith("killed ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // state, priority, share (nothing runs), then pending, running, completed, diverged, failed, cancelled.
        Assert.Equal(["open", "1", "-", "0", "0", "4", "0", "0", "0"], row[1..10]);

        // The interrupted trials resumed from a checkpoint, not epoch 1; every trial has each epoch once.
        Assert.Equal(0, (await CliRunner.Run("export", "killed", "--store", store, "--out", Dir)).ExitCode);
        var trials = Table(Path.Combine(Dir, "trials.csv"));
        var resumed = trials.Where(t => t["resumed_from_epoch"] != "").ToList();
        Assert.NotEmpty(checkpointed);
        Assert.Equal(checkpointed.Order(), resumed.Select(t => t["trial"]).Order());
        Assert.All(resumed, t => Assert.InRange(int.Parse(t["resumed_from_epoch"], System.Globalization.CultureInfo.InvariantCulture), 1, 5));
        Assert.All(trials, t => Assert.Equal("completed", t["status"]));
        var trajectory = Table(Path.Combine(Dir, "trajectory.csv"));
        foreach (var trial in trials.Select(t => t["trial"]))
        {
            Assert.Equal(["1", "2", "3", "4", "5", "6"], trajectory.Where(r => r["trial"] == trial).Select(r => r["epoch"]));
        }

        var steps = Table(Path.Combine(Dir, "steps.csv"));
        Assert.Equal(steps.Count, steps.Select(r => (r["trial"], r["step"])).Distinct().Count());
        var checkpoints = Path.Combine(store, "checkpoints", "killed");
        // Checkpoints (and temp files of the killed writer) are deleted once their trial's outcome is stored.
        Assert.Empty(Directory.Exists(checkpoints) ? Directory.GetFiles(checkpoints).Select(Path.GetFileName) : []);
    }

    private static List<Dictionary<string, string>> Table(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(','), (k, v) => (k, v)).ToDictionary(p => p.k, p => p.v)).ToList();
    }
}
