using System.Diagnostics;

namespace SweepGrid.Cli.Tests;

public sealed class RunCommandTests : TempDirectoryTest
{
    private string Store => Path.Combine(Dir, "store");

    private string SweepFile(string body, string name = "sweep.hocon")
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, body);
        return path;
    }

    private const string Synthetic = """
        sweep {
          name = cli
          dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 3 } }
          model { hidden = [16] }
          base { batch-size = 32, learning-rate = 0.05, epochs = 2 }
          grid { batch-size = [32, 64], seed = [1, 2] }
        }
        """;

    [Fact]
    public async Task A_bad_value_exits_2_names_file_key_and_value_and_writes_nothing()
    {
        var file = SweepFile(Synthetic.Replace("batch-size = [32, 64]", "batch-size = [32, -4]"));

        var result = await CliRunner.Run("run", file, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {file}: sweep.grid.batch-size[1]: must be a positive integer, got -4", result.Error.Trim());
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_missing_dataset_exits_2_and_writes_nothing()
    {
        var file = SweepFile("sweep { name = nodata, dataset { name = fashion-mnist, path = /nonexistent/fmnist } }");

        var result = await CliRunner.Run("run", file, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep.dataset.path: /nonexistent/fmnist: dataset folder not found", result.Error);
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_sweep_over_the_trial_limit_exits_2_with_its_count_and_the_setting_and_writes_nothing()
    {
        // 1,000 × 1,000 × 1,000 cells: counted, never expanded.
        string Axis(Func<int, string> value) => $"[{string.Join(", ", Enumerable.Range(1, 1000).Select(value))}]";
        var file = SweepFile(Synthetic.Replace("grid { batch-size = [32, 64], seed = [1, 2] }",
            $"grid {{ seed = {Axis(i => $"{i}")}, learning-rate = {Axis(i => $"{i}e-4")}, regularizer-strength = {Axis(i => $"{i}e-7")} }}"));

        var result = await CliRunner.Run("run", file, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {file}: sweep.grid: 1,000,000,000 trials (the product of the grid's axes) exceed the limit of 100,000 " +
                     "(sweepgrid.sweeps.max-trials in sweepgrid.conf)", result.Error.Trim());
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_batch_larger_than_the_training_set_exits_2()
    {
        var file = SweepFile(Synthetic.Replace("batch-size = [32, 64]", "batch-size = [32, 512]"));

        var result = await CliRunner.Run("run", file, "--store", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep.grid.batch-size[1]: 512 is larger than the training set (256 samples)", result.Error);
    }

    [Fact]
    public async Task A_missing_sweep_file_and_bad_arguments_exit_2()
    {
        var missing = await CliRunner.Run("run", Path.Combine(Dir, "nope.hocon"), "--store", Store);
        var slots = await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--slots", "0");
        var unknown = await CliRunner.Run("run", SweepFile(Synthetic), "--stor", Store);
        var gpu = await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--device", "cuda"); // no GPU in CI
        var device = await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--device", "tpu");
        var memory = await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--slot-memory", "1G", "--slot-memory-enforcement", "ulimit");

        Assert.Equal((2, 2, 2, 2, 2, 2), (missing.ExitCode, slots.ExitCode, unknown.ExitCode, gpu.ExitCode, device.ExitCode, memory.ExitCode));
        Assert.Equal("error: --slot-memory-enforcement: must be auto, cgroup or rlimit; got \"ulimit\"", memory.Error.Trim());
        Assert.Contains("--device cuda: this machine has no CUDA device", gpu.Error);
        Assert.Contains("--device: expected cpu, cuda or cuda:N, got \"tpu\"", device.Error);
        Assert.Contains("nope.hocon: file: not found", missing.Error);
        Assert.Contains("--slots: must be a positive integer, got 0", slots.Error);
        Assert.Contains("--stor", unknown.Error);
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task A_bad_file_does_not_touch_an_existing_store()
    {
        var good = SweepFile(Synthetic);
        CliRunner.AssertRan(await CliRunner.Run("run", good, "--store", Store, "--slots", "1"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = Directory.GetFiles(Store).ToDictionary(f => f, File.ReadAllBytes);

        var bad = await CliRunner.Run("run", SweepFile(Synthetic.Replace("epochs = 2", "epochs = 0"), "bad.hocon"), "--store", Store);

        Assert.Equal(2, bad.ExitCode);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(Store).Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));
    }

    [Fact]
    public async Task The_header_names_the_samples_the_trials_train_on_with_train_subset()
    {
        var file = SweepFile(Synthetic.Replace("classes = 3 } }", "classes = 3 }, train-subset = 100 }")
            .Replace("grid { batch-size = [32, 64], seed = [1, 2] }", "grid { seed = [1] }"));

        var run = await CliRunner.Run("run", file, "--store", Store, "--quiet");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("sweep cli: 1 trials on synthetic (100 of 256 train / 64 test), ", run.Output);
    }

    [Fact]
    public async Task More_slots_than_fit_in_memory_exit_2_before_anything_starts_and_more_than_the_cores_are_said()
    {
        var file = SweepFile(Synthetic.Replace("grid { batch-size = [32, 64], seed = [1, 2] }", "grid { seed = [1] }"));

        var tooMany = await CliRunner.Run("run", file, "--store", Store, "--slots", "100000");
        bool storeAfterRefusal = Directory.Exists(Store);
        var crowded = await CliRunner.Run("run", file, "--store", Store, "--quiet", "--slots", $"{Environment.ProcessorCount + 1}");

        Assert.Equal(2, tooMany.ExitCode);
        Assert.Matches(@"^error: --slots: 100000 slots need at least 37500\.0 GiB of memory \(0\.4 GiB per worker\), and this machine has [\d.]+ GiB: use at most \d+", tooMany.Error);
        Assert.False(storeAfterRefusal, "the refused run wrote a store");
        Assert.Equal(0, crowded.ExitCode);
        Assert.StartsWith($"warning: {Environment.ProcessorCount + 1} CPU slots on {Environment.ProcessorCount} core(s): ", crowded.Output);
    }

    /// <summary>
    /// --slot-memory means the memory a trial may use. As RLIMIT_AS alone it could not: the runtime and
    /// libtorch map gigabytes of address space they never touch, so under the documented minimum (3G) a
    /// worker could not load a native library and every trial was charged three crashes. Under 1G a
    /// small ResNet at batch 32 completes on its first attempt, while its neighbour at batch 4096 (about
    /// 10 GB of activations) fails with a reason naming memory, on the same run's slots: enforced by a
    /// memory cgroup per worker (this machine, as root, can make one; the kernel's OOM kill is named as
    /// such), and by the address-space fallback (the allocator's refusal).
    /// </summary>
    [Theory]
    [InlineData("cgroup", "2 slot(s) of at most 1 GiB (a memory cgroup v", "out of memory: the kernel killed it at its limit of 1 GiB")]
    [InlineData("rlimit", "2 slot(s) of at most 1 GiB (RLIMIT_AS ", "allocate memory")]
    public async Task Under_a_1g_slot_limit_a_small_resnet_trains_while_a_neighbour_ten_times_too_large_fails_naming_memory(
        string enforcement, string header, string reason)
    {
        var data = FashionMnistCut(train: 4096, test: 256);
        var file = SweepFile($$"""
            sweep {
              name = memory
              dataset { name = fashion-mnist, path = "{{data}}" }
              model { name = resnet, depth = 20 }
              base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
              grid { batch-size = [32, 4096] }
              metrics { flatness = [] }
            }
            """);

        var run = await CliRunner.Run("run", file, "--store", Store, "--quiet", "--slots", "2", "--slot-memory", "1G", "--slot-memory-enforcement", enforcement);

        Assert.True(run.Output.Contains(header), $"no \"{header}\" in:\n{run.Output}{run.Error}");
        var trials = new SweepGrid.Store.ResultsStore(Store).Read.Trials("memory");
        var small = trials.Single(t => t.BatchSize == 32);
        var large = trials.Single(t => t.BatchSize == 4096);
        Assert.True(small.Status == "completed" && small.Attempts == 1, $"batch 32: {small.Status} after {small.Attempts} attempt(s): {small.Reason}\n{run.Output}{run.Error}");
        Assert.Equal("failed", large.Status);
        Assert.Contains(reason, large.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// The bundled Fashion-MNIST cut to its first <paramref name="train"/> and <paramref name="test"/> images,
    /// in IDX files of this test's own: evaluating a ResNet on the full 10,000-image test set was most of
    /// the memory test's two minutes on one core, and the test set's size is not what it is about.
    /// </summary>
    private string FashionMnistCut(int train, int test)
    {
        var source = Path.Combine(TestMachine.RepoRoot(), "data", "fashion-mnist");
        var folder = Path.Combine(Dir, "fashion-mnist-cut");
        Directory.CreateDirectory(folder);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            foreach (var kind in new[] { "images-idx3", "labels-idx1" })
            {
                var (header, values) = SweepGrid.Data.IdxFile.Read(Path.Combine(source, $"{prefix}-{kind}-ubyte.gz"));
                int[] dimensions = [count, .. header.Dimensions.Skip(1)];
                SweepGrid.Data.IdxFile.Write(Path.Combine(folder, $"{prefix}-{kind}-ubyte"), dimensions, values.AsSpan(0, (int)(count * header.ValuesPerItem)));
            }
        }

        return folder;
    }

    [Fact]
    public async Task Run_then_export_gives_the_csvs_and_a_rerun_runs_nothing()
    {
        var file = SweepFile(Synthetic);

        var run = await CliRunner.Run("run", file, "--store", Store, "--slots", "2");
        var export = await CliRunner.Run("export", "cli", "--store", Store, "--out", Path.Combine(Dir, "out"));
        var rerun = await CliRunner.Run("run", file, "--store", Store);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("sweep cli: 4 completed, 0 diverged, 0 failed", run.Output);
        Assert.Equal(0, export.ExitCode);
        var trials = File.ReadAllLines(Path.Combine(Dir, "out", "trials.csv"));
        var header = trials[0].Split(',');
        foreach (var column in new[] { "trial", "status", "batch_size", "learning_rate", "ghost_batch_size", "regularizer",
                     "regularizer_strength", "seed", "epochs", "steps", "train_loss", "train_acc", "test_loss", "test_acc",
                     "gap", "weight_distance", "seconds" })
        {
            Assert.Contains(column, header);
        }

        Assert.Equal(5, trials.Length);
        var rows = trials.Skip(1).Select(l => l.Split(',')).ToList();
        int status = Array.IndexOf(header, "status"), steps = Array.IndexOf(header, "steps"), batch = Array.IndexOf(header, "batch_size");
        Assert.All(rows, r => Assert.Equal("completed", r[status]));
        // 256 samples, 2 epochs, the last incomplete batch dropped: 16 steps at batch 32, 8 at 64.
        Assert.Equal(["16", "16", "8", "8"], rows.Select(r => r[steps]));
        Assert.Equal(["32", "32", "64", "64"], rows.Select(r => r[batch]));
        var trajectory = File.ReadAllLines(Path.Combine(Dir, "out", "trajectory.csv"));
        Assert.Equal("trial,step,epoch,learning_rate,train_loss,train_acc,test_loss,test_acc,weight_distance,seconds", trajectory[0]);
        Assert.Equal(1 + 4 * 2, trajectory.Length);
        var points = File.ReadAllLines(Path.Combine(Dir, "out", "steps.csv"));
        Assert.Equal("trial,step,epoch,learning_rate,batch_loss,grad_norm,weight_distance,step_length,path_length,test_loss,test_acc", points[0]);
        // every-steps = 50 exceeds an epoch (8 or 4 steps) here: one point per epoch end.
        Assert.Equal(1 + 4 * 2, points.Length);
        Assert.True(File.ReadAllLines(Path.Combine(Dir, "out", "layers.csv")).Length > points.Length);
        var flatness = File.ReadAllLines(Path.Combine(Dir, "out", "flatness.csv"));
        Assert.Equal("trial,epoch,metric,value,standard_error,seconds,iterations", flatness[0]);
        // The default suite at the last epoch: sharpness, Hessian top and trace, relative flatness and the plain trace.
        Assert.Equal(1 + 4 * 5, flatness.Length);
        Assert.Contains("log_fit_a", header);
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains("4 trials in the store, 0 new, 4 already finished (not re-run)", rerun.Output);
        Assert.DoesNotContain("start ", rerun.Output);
    }

    [Fact]
    public async Task A_learning_rate_of_100_diverges_its_trials_and_the_sweep_goes_on()
    {
        var file = SweepFile(Synthetic.Replace("grid { batch-size = [32, 64], seed = [1, 2] }", "grid { learning-rate = [0.05, 100] }"));

        var run = await CliRunner.Run("run", file, "--store", Store, "--slots", "2");
        var export = await CliRunner.Run("export", "cli", "--store", Store, "--out", Path.Combine(Dir, "out"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("sweep cli: 1 completed, 1 diverged, 0 failed", run.Output);
        Assert.Equal(0, export.ExitCode);
        var rows = File.ReadAllLines(Path.Combine(Dir, "out", "trials.csv"));
        Assert.Contains(rows, r => r.Contains(",diverged,", StringComparison.Ordinal) && r.Contains("loss", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_from_before_the_model_optimizer_schedule_and_point_evaluation_columns_and_the_epochs_table_still_exports()
    {
        CliRunner.AssertRan(await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--slots", "1"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Store, "results.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE trials DROP COLUMN model; ALTER TABLE trials DROP COLUMN optimizer; ALTER TABLE trials DROP COLUMN schedule; " +
                                  "ALTER TABLE points DROP COLUMN test_loss; ALTER TABLE points DROP COLUMN test_acc; " +
                                  "ALTER TABLE epochs RENAME TO trajectory;";
            command.ExecuteNonQuery();
        }

        var export = await CliRunner.Run("export", "cli", "--store", Store, "--out", Path.Combine(Dir, "out"));

        Assert.Equal(0, export.ExitCode);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(Dir, "out", "trials.csv")).Length);
        // The epochs table was called trajectory: renamed, with its rows.
        Assert.Equal(1 + 4 * 2, File.ReadAllLines(Path.Combine(Dir, "out", "trajectory.csv")).Length);
        // The points' test evaluations came later: the columns are back, empty for the points stored before.
        var steps = File.ReadAllLines(Path.Combine(Dir, "out", "steps.csv"));
        Assert.EndsWith(",test_loss,test_acc", steps[0]);
        Assert.All(steps.Skip(1), line => Assert.EndsWith(",,", line));
    }

    [Fact]
    public async Task Exporting_an_unknown_sweep_exits_2_and_names_the_known_ones()
    {
        CliRunner.AssertRan(await CliRunner.Run("run", SweepFile(Synthetic), "--store", Store, "--slots", "1"));

        var result = await CliRunner.Run("export", "nope", "--store", Store, "--out", Path.Combine(Dir, "out"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep \"nope\" is not in store", result.Error);
        Assert.Contains("sweeps there: cli", result.Error);
        Assert.False(Directory.Exists(Path.Combine(Dir, "out")));
    }

    [Fact]
    public async Task The_real_executable_exits_2_on_a_broken_sweep_file()
    {
        var file = SweepFile("sweep { name = broken, grid { seed = [1, 2 } }");
        using var process = CliRunner.Start("run", file, "--store", Store);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("'}' closes the '['", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Store));
    }
}
