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
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), "run", file, "--store", store, "--slots", "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var process = Process.Start(start)!)
        {
            // Kill once both slots have finished an epoch of their first trial: mid-trial, nothing finished yet.
            var epochs = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (epochs < 2 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(" epoch ", StringComparison.Ordinal)) epochs++;
            }

            process.Kill();
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, epochs);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var status = await CliRunner.Run("status", "killed", "--store", store);
        var rerun = await CliRunner.Run("run", file, "--store", store, "--slots", "2");
        var after = await CliRunner.Run("status", "killed", "--store", store);

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("running:", status.Output);
        Assert.Equal(2, status.Output.Split('\n').Count(l => l.Contains("attempt 1", StringComparison.Ordinal) && l.Contains("/slot-", StringComparison.Ordinal)));
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains("4 trials in the store, 0 new, 0 already finished", rerun.Output);
        Assert.Contains("sweep killed: 4 completed, 0 diverged, 0 failed", rerun.Output);
        // The two interrupted trials ran again as attempt 2; the two never started ran once.
        Assert.Equal(2, rerun.Output.Split('\n').Count(l => l.Contains(" attempt 2 on ", StringComparison.Ordinal)));
        var row = after.Output.Split('\n').Single(l => l.StartsWith("killed ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", "0", "4", "0", "0"], row[1..6]);
    }
}
