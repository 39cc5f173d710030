using Microsoft.Data.Sqlite;

namespace SweepGrid.Cli.Tests.Output;

public sealed class TensorBoardExportTests : TempDirectoryTest
{
    [Fact]
    public async Task Each_trial_gets_an_event_file_with_valid_framing_and_its_scalars()
    {
        var store = Path.Combine(Dir, "store");
        var file = Path.Combine(Dir, "t.hocon");
        File.WriteAllText(file, """
            sweep {
              name = tb
              dataset { name = synthetic, synthetic { train-size = 128, test-size = 32, features = 8, classes = 3 } }
              model { hidden = [16] }
              base { batch-size = 16, learning-rate = 0.05, epochs = 3 }
              grid { batch-size = [16, 32] }
              metrics { every-steps = 4, flatness = [hessian-top], probe-size = 32 }
            }
            """);
        Assert.Equal(0, (await CliRunner.Run("run", file, "--store", store, "--quiet")).ExitCode);

        var runs = Path.Combine(Dir, "runs");
        var result = await CliRunner.Run("export", "tb", "--store", store, "--tensorboard", runs);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(Dir, "trials.csv"))); // no --out: no tables
        using var c = new SqliteConnection($"Data Source={Path.Combine(store, "results.db")};Pooling=false");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = "SELECT trial, steps, test_acc FROM trials WHERE sweep = 'tb'";
        using var reader = q.ExecuteReader();
        int trials = 0;
        while (reader.Read())
        {
            trials++;
            string trial = reader.GetString(0);
            long steps = reader.GetInt64(1);
            var events = Directory.GetFiles(Path.Combine(runs, "tb", trial), "events.out.tfevents.*");
            var contents = TfEventFile.Read(Assert.Single(events));

            Assert.Equal("brain.Event:2", contents.FileVersion);
            var tags = contents.Scalars.Select(s => s.Tag).ToHashSet();
            foreach (var tag in new[] { "train/loss", "train/accuracy", "test/loss", "test/accuracy", "weights/distance_from_init", "step/grad_norm", "flatness/hessian-top" })
            {
                Assert.Contains(tag, tags);
            }

            Assert.Equal(3, contents.Scalars.Count(s => s.Tag == "test/accuracy"));
            var last = contents.Scalars.Where(s => s.Tag == "test/accuracy").MaxBy(s => s.Step)!;
            Assert.Equal(steps, last.Step);
            Assert.Equal((float)reader.GetDouble(2), last.Value);
            Assert.Equal(steps, contents.Scalars.Single(s => s.Tag == "flatness/hessian-top").Step);
        }

        Assert.Equal(2, trials);
    }

    [Fact]
    public async Task Export_without_a_destination_is_bad_input()
    {
        var result = await CliRunner.Run("export", "tb", "--store", Path.Combine(Dir, "store"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give --out DIR (tables), --tensorboard DIR (event files), or both", result.Error);
    }
}
