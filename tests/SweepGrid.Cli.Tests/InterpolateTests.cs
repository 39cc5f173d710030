using System.Globalization;

namespace SweepGrid.Cli.Tests;

public sealed class InterpolateTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    private async Task<List<Dictionary<string, string>>> RunSweep(string grid)
    {
        var file = Path.Combine(Dir, "i.hocon");
        File.WriteAllText(file, $$"""
            sweep {
              name = interp
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 16, learning-rate = 0.05, epochs = 2 }
              grid { {{grid}} }
              metrics { flatness = [] }
            }
            """);
        CliRunner.AssertRan(await CliRunner.Run("run", file, "--store", Store));
        Assert.Equal(0, (await CliRunner.Run("export", "interp", "--store", Store, "--out", Dir)).ExitCode);
        var lines = File.ReadAllLines(Path.Combine(Dir, "trials.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(','), (k, v) => (k, v)).ToDictionary(p => p.k, p => p.v)).ToList();
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Alpha_zero_and_one_reproduce_each_trials_own_final_numbers()
    {
        var trials = await RunSweep("batch-size = [16, 128]");
        string a = trials[0]["trial"], b = trials[1]["trial"];

        var result = await CliRunner.Run("interpolate", a, b, "--store", Store, "--points", "4");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, (await CliRunner.Run("export", "interp", "--store", Store, "--out", Dir)).ExitCode);

        var rows = File.ReadAllLines(Path.Combine(Dir, "interpolation.csv"));
        Assert.Equal("trial_a,trial_b,alpha,train_loss,train_acc,test_loss,test_acc", rows[0]);
        var points = rows.Skip(1).Select(r => r.Split(',')).ToDictionary(r => D(r[2]), r => (TrainLoss: D(r[3]), TestAcc: D(r[6])));
        Assert.Equal([-1.0, 0, 1, 2], points.Keys.Order());
        Assert.Equal(D(trials[0]["train_loss"]), points[0].TrainLoss, 5);
        Assert.Equal(D(trials[0]["test_acc"]), points[0].TestAcc, 9);
        Assert.Equal(D(trials[1]["train_loss"]), points[1].TrainLoss, 5);
        Assert.Equal(D(trials[1]["test_acc"]), points[1].TestAcc, 9);
        Assert.Contains("θ(α) = α·θ[" + b + "]", result.Output);
    }

    [Fact]
    public async Task Unknown_trials_and_trials_without_weights_are_bad_input()
    {
        var trials = await RunSweep("learning-rate = [0.05, 100000]");
        var diverged = trials.Single(t => t["status"] == "diverged")["trial"];
        var completed = trials.Single(t => t["status"] == "completed")["trial"];

        var unknown = await CliRunner.Run("interpolate", completed, "000000000000", "--store", Store);
        var noWeights = await CliRunner.Run("interpolate", completed, diverged, "--store", Store);

        Assert.Equal((2, 2), (unknown.ExitCode, noWeights.ExitCode));
        Assert.Contains("trial 000000000000 is not in store", unknown.Error);
        Assert.Contains($"trial {diverged} has no final weights", noWeights.Error);
    }
}
