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
        CliRunner.AssertRan(await CliRunner.Run("run", file, "--store", store));
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
    public async Task Steps_to_target_lie_between_the_stored_evaluations_and_the_summary_averages_them()
    {
        var file = Path.Combine(Dir, "t.hocon");
        File.WriteAllText(file, """
            sweep {
              name = targets
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 32, learning-rate = 0.05, epochs = 3 }
              grid { batch-size = [32, 64], seed = [1, 2] }
              metrics { flatness = [], targets = [0.6, 0.99], eval-every-steps = 3 }
            }
            """);
        var store = Path.Combine(Dir, "store");
        CliRunner.AssertRan(await CliRunner.Run("run", file, "--store", store));
        Assert.Equal(0, (await CliRunner.Run("export", "targets", "--store", store, "--out", Dir)).ExitCode);

        var summary = await CliRunner.Run("summary", "targets", "--store", store, "--markdown");

        var targets = Csv("targets.csv");
        var trials = Csv("trials.csv");
        Assert.Equal(4 * 2, targets.Count);
        // Every evaluation a trial had: its epoch ends and the test evaluations on its points.
        var evaluations = Csv("trajectory.csv").Select(r => (Trial: r["trial"], Step: double.Parse(r["step"], CultureInfo.InvariantCulture), Acc: D(r["test_acc"])))
            .Concat(Csv("steps.csv").Where(r => r["test_acc"] != "").Select(r => (Trial: r["trial"], Step: double.Parse(r["step"], CultureInfo.InvariantCulture), Acc: D(r["test_acc"]))))
            .ToLookup(e => e.Trial);
        int interpolated = 0;
        foreach (var row in targets)
        {
            double target = D(row["target"]);
            var seen = evaluations[row["trial"]].OrderBy(e => e.Step).ToList();
            var first = seen.FirstOrDefault(e => e.Acc >= target);
            if (row["reached"] == "0")
            {
                Assert.True(first == default, $"{row["trial"]} reached {target} at step {first.Step} but targets.csv says not");
                continue;
            }

            double step = D(row["step"]);
            if (row["bounded"] == "1")
            {
                Assert.Equal(seen[0].Step, step);
                continue;
            }

            // Past the last evaluation short of the target, at most at the first that reached it.
            var before = seen.Last(e => e.Step < first.Step);
            Assert.InRange(step, before.Step + 1e-9, first.Step);
            Assert.True(before.Acc < target);
            interpolated++;
        }

        Assert.True(interpolated > 0, "no crossing between two evaluations: the targets no longer test interpolation");
        Assert.Equal(0, summary.ExitCode);
        var lines = summary.Output.Trim().Split('\n').Select(l => l.Trim()).ToList();
        var header = lines[0].Split('|').Select(c => c.Trim()).ToList();
        int column = header.IndexOf("steps to 0.6");
        Assert.True(column > 0, lines[0]);
        Assert.Equal(column + 1, header.IndexOf("steps to 0.99"));
        // The B=32 row: the mean of its two seeds' steps to 0.6 in targets.csv.
        var seeds = trials.Where(t => t["batch_size"] == "32").Select(t => t["trial"]).ToHashSet();
        var steps = targets.Where(t => seeds.Contains(t["trial"]) && t["target"] == "0.6" && t["reached"] == "1").Select(t => D(t["step"])).ToList();
        Assert.Equal(2, steps.Count);
        Assert.Contains(steps.Average().ToString("F0", CultureInfo.InvariantCulture), lines[2].Split('|')[column]);
    }

    private List<Dictionary<string, string>> Csv(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(Dir, name));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.Item1, p => p.Item2)).ToList();
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Summary_of_an_unknown_sweep_is_bad_input()
    {
        var result = await CliRunner.Run("summary", "nothing", "--store", Path.Combine(Dir, "empty"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no results database", result.Error);
    }
}
