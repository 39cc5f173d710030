using System.Globalization;

namespace SweepGrid.Cli.Tests;

public sealed class SummaryTests : TempDirectoryTest
{
    [Fact]
    public async Task Summary_gives_mean_and_sample_std_over_seeds_matching_the_export()
    {
        var file = Path.Combine(Dir, "s.hocon");
        File.WriteAllText(file, """
            sweep {
              name = summ
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
              grid = [{ batch-size = [32], seed = [1, 2, 3] }, { batch-size = [64], lr-scaling = [sqrt], seed = [1, 2, 3] }]
            }
            """);
        var store = Path.Combine(Dir, "store");
        Assert.Equal(0, (await CliRunner.Run("run", file, "--store", store)).ExitCode);
        Assert.Equal(0, (await CliRunner.Run("export", "summ", "--store", store, "--out", Dir)).ExitCode);

        var summary = await CliRunner.Run("summary", "summ", "--store", store, "--markdown");

        Assert.Equal(0, summary.ExitCode);
        var lines = summary.Output.Trim().Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal(4, lines.Count);
        Assert.StartsWith("| B=32 lr=0.05 1 ep | 3 | 8 |", lines[2]);
        Assert.StartsWith("| B=64 lr=0.07071 (sqrt) 1 ep | 3 | 4 |", lines[3]);
        var csv = File.ReadAllLines(Path.Combine(Dir, "trials.csv"));
        int acc = Array.IndexOf(csv[0].Split(','), "test_acc");
        var accuracies = csv.Skip(1).Take(3).Select(l => double.Parse(l.Split(',')[acc], CultureInfo.InvariantCulture)).ToList();
        double mean = accuracies.Average();
        double std = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / 2);
        Assert.Contains($"{mean.ToString("F4", CultureInfo.InvariantCulture)} ± {std.ToString("F4", CultureInfo.InvariantCulture)}", lines[2]);
    }

    [Fact]
    public async Task Summary_of_an_unknown_sweep_is_bad_input()
    {
        var result = await CliRunner.Run("summary", "nothing", "--store", Path.Combine(Dir, "empty"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no results database", result.Error);
    }
}
