namespace SweepGrid.Cli.Tests;

/// <summary>
/// `cancel`, `pause`, `priority` and `resume` against an embedded store: refused while a `run` holds the
/// store (two processes would write one journal), carried out by this process's own coordinator once it
/// is free, and what they change is what `status` and a later `resume` see.
/// </summary>
public sealed class ControlStoreTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    private string SweepFile()
    {
        var file = Path.Combine(Dir, "ctl.hocon");
        File.WriteAllText(file, """
            sweep {
              name = ctl
              dataset { name = synthetic, synthetic { train-size = 64, test-size = 16, features = 4, classes = 2 } }
              base { batch-size = 16, epochs = 1 }
              grid { seed = [1, 2, 3, 4, 5, 6] }
              metrics { flatness = [] }
            }
            """);
        return file;
    }

    /// <summary>The sweep's row of `status`: state, priority, share, then pending, running, completed, diverged, failed, cancelled.</summary>
    private async Task<string[]> StatusRow()
    {
        var status = await CliRunner.Run("status", "--store", Store);
        Assert.Equal(0, status.ExitCode);
        return status.Output.Split('\n').Single(l => l.StartsWith("ctl ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..10];
    }

    [Fact]
    public async Task A_stopped_sweep_is_cancelled_in_its_store_and_resume_runs_only_what_was_not_done_while_a_running_one_is_refused()
    {
        var file = SweepFile();
        using (var run = CliRunner.Start("run", file, "--store", Store, "--slots", "2", "--quiet", "--trial-runner", "noop:60"))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            int started = 0;
            while (started < 2 && await run.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(" start ", StringComparison.Ordinal)) started++;
            }

            // While `run` holds the store, a control would be a second writer of its journal.
            var busy = await CliRunner.Run("cancel", "ctl", "--store", Store);
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains($"is in use by another sweepgrid process (pid {run.Id})", busy.Error);

            run.Kill();
            await run.WaitForExitAsync(timeout.Token);
        }

        var cancel = await CliRunner.Run("cancel", "ctl", "--store", Store);

        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Contains("sweep ctl: cancelled; 6 trial(s) without a result cancelled, 0 with a result kept", cancel.Output);
        Assert.Equal(["cancelled", "1", "-", "0", "0", "0", "0", "0", "6"], await StatusRow());

        // What does not apply to a cancelled sweep changes nothing: one line, exit 2.
        foreach (var (args, says) in new (string[], string)[]
                 {
                     (["cancel", "ctl"], "already cancelled"), (["pause", "ctl"], "resume ctl"), (["pause", "nosuch"], "sweep \"nosuch\" is not in"),
                     (["priority", "ctl", "-3"], "from 1 to 1000, got \"-3\""), (["priority", "ctl", "0"], "got \"0\""), (["priority", "ctl", "1000000000"], "got \"1000000000\""),
                     (["priority", "ctl", "1e9"], "from 1 to 1000"), (["cancel", "../x"], "sweep-name"),
                 })
        {
            var bad = await CliRunner.Run([.. args, "--store", Store]);
            Assert.True(bad.ExitCode == 2, $"{string.Join(' ', args)}: exit {bad.ExitCode}: {bad.Error}");
            Assert.Contains(says, bad.Error);
            Assert.Single(bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var priority = await CliRunner.Run("priority", "ctl", "5", "--store", Store);
        Assert.True(priority.ExitCode == 0, priority.Error);
        Assert.Equal(["cancelled", "5", "-", "0", "0", "0", "0", "0", "6"], await StatusRow());

        // Resume reopens it with the priority it was given, and runs each trial once.
        var resume = await CliRunner.Run("resume", "ctl", "--store", Store, "--slots", "2", "--quiet", "--trial-runner", "noop");
        Assert.True(resume.ExitCode == 0, resume.Error);
        Assert.Contains("sweep ctl: 6 completed, 0 diverged, 0 failed in", resume.Output);
        Assert.Equal(["open", "5", "-", "0", "0", "6", "0", "0", "0"], await StatusRow());

        // A finished sweep has nothing to pause or cancel.
        var late = await CliRunner.Run("cancel", "ctl", "--store", Store);
        Assert.Equal(2, late.ExitCode);
        Assert.Contains("has finished", late.Error);
    }
}
