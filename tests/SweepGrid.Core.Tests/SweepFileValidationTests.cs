using SweepGrid.Core.Sweeps;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Core.Tests;

public sealed class SweepFileValidationTests
{
    private const string Valid = """
        sweep {
          name = demo
          dataset { name = fashion-mnist, path = data/fashion-mnist }
          base { batch-size = 128, learning-rate = 0.05, epochs = 2 }
          grid {
            batch-size = [128, 1024]
            learning-rate = [0.05, 0.1]
            ghost-batch-size = [0, 128]
            seed = [1, 2]
          }
        }
        """;

    private static ValidationError Single(string text)
    {
        var error = Assert.Throws<SweepValidationException>(() => SweepFile.Parse(text, "bad.hocon"));
        return Assert.Single(error.Errors);
    }

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Valid);
        return Valid.Replace(from, to);
    }

    [Fact]
    public void The_valid_file_parses()
    {
        var spec = SweepFile.Parse(Valid, "ok.hocon");

        Assert.Equal("demo", spec.Name);
        var grid = Assert.Single(spec.Grids);
        Assert.Equal([128, 1024], grid.BatchSize);
        Assert.Equal([0.05, 0.1], grid.LearningRate);
    }

    [Fact]
    public void A_micro_batch_that_splits_a_ghost_batch_names_both_keys()
    {
        var error = Single(Replace("epochs = 2 }", "epochs = 2 }, training { micro-batch = 96 }"));

        Assert.Equal("sweep.training.micro-batch", error.Path);
        Assert.Equal("micro-batch 96 must be a multiple of every ghost batch size, but not of sweep.grid.ghost-batch-size[1] = 128", error.Message);
    }

    [Theory]
    [InlineData("method = arnoldi", "sweep.metrics.hessian.method", "must be one of lanczos | power")]
    [InlineData("lanczos-steps = 1", "sweep.metrics.hessian.lanczos-steps", "must be")]
    [InlineData("lanczos-steps = 1000, vectors = 51", "sweep.metrics.hessian.vectors", "lanczos-steps × vectors must be at most 50,000 (a spectrum is stored as one report), got 1000 × 51")]
    public void Hessian_settings_out_of_range_name_their_key(string setting, string path, string message)
    {
        var error = Single(Replace("epochs = 2 }", $"epochs = 2 }}, metrics {{ hessian {{ {setting} }} }}"));

        Assert.Equal(path, error.Path);
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("targets = [0.85, 1.5]", "sweep.metrics.targets[1]", "must be")]
    [InlineData("targets = [0]", "sweep.metrics.targets[0]", "must be")]
    [InlineData("targets = [0.85, 0.85]", "sweep.metrics.targets", "lists a value twice")]
    [InlineData("targets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], target-metric = train-loss", "sweep.metrics.targets", "lists 11 values; at most 10")]
    [InlineData("target-metric = test-loss", "sweep.metrics.target-metric", "must be one of test-accuracy | train-loss")]
    [InlineData("eval-every-steps = -1", "sweep.metrics.eval-every-steps", "must be")]
    public void Target_settings_out_of_range_name_their_key(string setting, string path, string message)
    {
        var error = Single(Replace("epochs = 2 }", $"epochs = 2 }}, metrics {{ {setting} }}"));

        Assert.Equal(path, error.Path);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_loss_target_may_exceed_1_and_the_targets_keep_their_order()
    {
        var spec = SweepFile.Parse(Replace("epochs = 2 }", "epochs = 2 }, metrics { targets = [2.5, 0.3], target-metric = train-loss, eval-every-steps = 40 }"), "ok.hocon");

        Assert.Equal(new TargetSpec("train-loss", [2.5, 0.3]).Values, spec.Metrics.TargetsOrNone.Values);
        Assert.False(spec.Metrics.TargetsOrNone.HigherIsBetter);
        Assert.Equal(40, spec.Metrics.EvalEverySteps);
    }

    [Fact]
    public void A_negative_batch_size_names_the_element_and_value()
    {
        var error = Single(Replace("batch-size = [128, 1024]", "batch-size = [128, 1024, -4]"));

        Assert.Equal("sweep.grid.batch-size[2]", error.Path);
        Assert.Equal("must be a positive integer, got -4", error.Message);
    }

    [Theory]
    [InlineData("learning-rate = [0.05, 0.1]", "learning-rate = [0.05, 0]", "sweep.grid.learning-rate[1]", "must be positive, got 0")]
    [InlineData("epochs = 2", "epochs = 0", "sweep.base.epochs", "must be a positive integer, got 0")]
    [InlineData("batch-size = 128, learning-rate", "batch-size = -1, learning-rate", "sweep.base.batch-size", "must be a positive integer, got -1")]
    [InlineData("learning-rate = 0.05, epochs", "learning-rate = -0.05, epochs", "sweep.base.learning-rate", "must be positive, got -0.05")]
    public void Non_positive_sizes_and_rates_are_rejected(string from, string to, string path, string message)
    {
        var error = Single(Replace(from, to));

        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_path()
    {
        var error = Single(Replace("seed = [1, 2]", "seed = [1, 2]\n    batchsize = [64]"));

        Assert.Equal("sweep.grid.batchsize", error.Path);
        Assert.StartsWith("unknown key", error.Message);
        Assert.Contains("batch-size", error.Message);
    }

    [Fact]
    public void An_unknown_top_level_key_is_rejected()
    {
        var error = Single(Valid + "\nswep { name = x }");

        Assert.Equal("swep", error.Path);
    }

    [Theory]
    [InlineData("epochs = 2", "epochs = two", "sweep.base.epochs", "must be an integer, got \"two\"")]
    [InlineData("epochs = 2", "epochs = [2]", "sweep.base.epochs", "must be an integer, got a list")]
    [InlineData("seed = [1, 2]", "seed = 1", "sweep.grid.seed", "must be a list [ ... ], got \"1\"")]
    [InlineData("seed = [1, 2]", "seed = [1, x]", "sweep.grid.seed[1]", "must be an integer, got \"x\"")]
    [InlineData("seed = [1, 2]", "seed = [1, [2]]", "sweep.grid.seed[1]", "must be a single value, got a list")]
    [InlineData("learning-rate = [0.05, 0.1]", "learning-rate = [0.05, fast]", "sweep.grid.learning-rate[1]", "must be a finite number, got \"fast\"")]
    public void Wrong_types_are_rejected(string from, string to, string path, string message)
    {
        var error = Single(Replace(from, to));

        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_ghost_batch_size_that_does_not_divide_a_batch_size_is_rejected()
    {
        var error = Single(Replace("ghost-batch-size = [0, 128]", "ghost-batch-size = [0, 256]"));

        Assert.Equal("sweep.grid.ghost-batch-size[1]", error.Path);
        Assert.Contains("256 must divide every batch size", error.Message);
        Assert.Contains("sweep.grid.batch-size[0] = 128", error.Message);
    }

    [Fact]
    public void Ghost_batch_norm_without_batch_norm_is_rejected()
    {
        var error = Single(Replace("base {", "model { norm = none }\n  base {"));

        Assert.Equal("sweep.grid.ghost-batch-size[1]", error.Path);
        Assert.Contains("needs batch norm", error.Message);
    }

    [Fact]
    public void An_empty_axis_is_rejected()
    {
        var error = Single(Replace("seed = [1, 2]", "seed = []"));

        Assert.Equal("sweep.grid.seed", error.Path);
        Assert.StartsWith("must not be empty", error.Message);
    }

    [Fact]
    public void A_value_listed_twice_on_an_axis_is_rejected()
    {
        var error = Single(Replace("seed = [1, 2]", "seed = [1, 1]"));

        Assert.Equal("sweep.grid.seed", error.Path);
    }

    [Theory]
    [InlineData("base {", "schedule { name = step, drop-epochs = [1, 5] }\n  base {", "sweep.schedule.drop-epochs[1]", "5 is after the last epoch")]
    [InlineData("base {", "schedule { name = step, drop-epochs = [2, 1] }\n  base {", "sweep.schedule.drop-epochs[1]", "must be increasing")]
    [InlineData("base {", "schedule { drop-epochs = [1] }\n  base {", "sweep.schedule.drop-epochs", "only used by name = step")]
    [InlineData("base {", "optimizer { name = adam, beta2 = 1 }\n  base {", "sweep.optimizer.beta2", "must be < 1, got 1")]
    [InlineData("base {", "training { max-loss = 0 }\n  base {", "sweep.training.max-loss", "must be positive, got 0")]
    [InlineData("seed = [1, 2]", "seed = [1, 2]\n    lr-scaling = [sqrt, cube]", "sweep.grid.lr-scaling[1]", "must be one of none | linear | sqrt, got \"cube\"")]
    [InlineData("seed = [1, 2]", "seed = [1, 2]\n    regime-adaptation = [maybe]", "sweep.grid.regime-adaptation[0]", "must be true or false")]
    public void New_training_keys_are_validated(string from, string to, string path, string message)
    {
        var error = Single(Replace(from, to));

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    /// <summary>sweep.priority: a sweep's weight in the cluster's fair share, 1 (the default) to 1000.</summary>
    [Theory]
    [InlineData("priority = 0", "must be")]
    [InlineData("priority = -3", "must be")]
    [InlineData("priority = 1000000000", "must be")]
    [InlineData("priority = high", "must be an integer, got \"high\"")]
    [InlineData("priority = 2.5", "must be an integer")]
    public void A_priority_outside_1_to_1000_is_refused(string line, string message)
    {
        var error = Single(Replace("name = demo", $"name = demo\n  {line}"));

        Assert.Equal("sweep.priority", error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_priority_is_read_and_defaults_to_1()
    {
        Assert.Equal(1, SweepFile.Parse(Valid, "ok.hocon").PriorityOrDefault);
        Assert.Equal(1000, SweepFile.Parse(Replace("name = demo", "name = demo\n  priority = 1000"), "ok.hocon").PriorityOrDefault);
    }

    [Fact]
    public void Full_batch_is_a_batch_size_whose_ghost_batches_must_divide_the_training_set()
    {
        var spec = SweepFile.Parse(Replace("batch-size = [128, 1024]", "batch-size = [128, full]"), "ok.hocon");

        var errors = DatasetChecks.Check(spec, new DatasetFacts(1000, 100, 784, 10));

        Assert.Equal([GridAxes.FullBatch], spec.Grids[0].BatchSize.Skip(1));
        var error = Assert.Single(errors);
        Assert.Equal("sweep.grid.ghost-batch-size[1]", error.Path);
        Assert.Contains("must divide the full batch, the training set of 1000 samples", error.Message);
        Assert.Equal("sweep.grid.batch-size[1]", Single(Replace("batch-size = [128, 1024]", "batch-size = [128, half]")).Path);
    }

    [Fact]
    public void Image_models_need_image_data()
    {
        var spec = SweepFile.Parse(Replace("base {", "model { name = convnet }\n  base {"), "ok.hocon");

        var errors = DatasetChecks.Check(spec, new DatasetFacts(60000, 10000, 784, 10));

        Assert.Equal("sweep.model.name", Assert.Single(errors).Path);
        Assert.Empty(DatasetChecks.Check(spec, new DatasetFacts(60000, 10000, 784, 10, [1, 28, 28])));
    }

    [Fact]
    public void Resnet_depth_must_be_6n_plus_2()
    {
        var error = Single(Replace("base {", "model { name = resnet, depth = 21 }\n  base {"));

        Assert.Equal("sweep.model.depth", error.Path);
    }

    [Fact]
    public void Errors_inside_a_list_of_grids_name_the_grid()
    {
        var text = Valid[..Valid.IndexOf("  grid {", StringComparison.Ordinal)] +
                   "  grid = [{ batch-size = [128] }, { batch-size = [256], ghost-batch-size = [96] }]\n}";

        var error = Single(text);

        Assert.Equal("sweep.grid[1].ghost-batch-size[0]", error.Path);
    }

    [Fact]
    public void A_grid_that_is_neither_object_nor_list_of_objects_is_rejected()
    {
        var text = Valid[..Valid.IndexOf("  grid {", StringComparison.Ordinal)] + "  grid = [1, 2]\n}";

        Assert.Equal("sweep.grid", Single(text).Path);
    }

    [Fact]
    public void A_dataset_without_a_path_is_rejected()
    {
        var error = Single(Replace(", path = data/fashion-mnist", ""));

        Assert.Equal("sweep.dataset.path", error.Path);
    }

    [Theory]
    [InlineData("name = demo", "", "sweep.name")]
    [InlineData("name = demo", "name = \"my sweep\"", "sweep.name")]
    [InlineData("name = fashion-mnist", "name = cifar-100", "sweep.dataset.name")]
    public void Names_are_checked(string from, string to, string path)
    {
        Assert.Equal(path, Single(Replace(from, to)).Path);
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var text = Replace("epochs = 2", "epochs = 0").Replace("seed = [1, 2]", "seed = [-1]");

        var error = Assert.Throws<SweepValidationException>(() => SweepFile.Parse(text, "bad.hocon"));

        Assert.Equal(["sweep.base.epochs", "sweep.grid.seed[0]"], error.Errors.Select(e => e.Path).Order());
        Assert.Contains("bad.hocon: sweep.base.epochs: must be a positive integer, got 0", error.Message);
    }

    [Theory]
    [InlineData("seed = [1, 2]", "seed = [1, 2 }", "'}' closes the '['")]
    [InlineData("seed = [1, 2]\n  }", "seed = [1, 2]", "'{' is never closed")]
    [InlineData("name = demo", "name = \"demo", "string is not terminated")]
    [InlineData("name = demo", "name = demo }", "has no matching opening bracket")]
    public void Broken_syntax_is_rejected_with_a_position(string from, string to, string message)
    {
        var error = Single(Replace(from, to));

        Assert.StartsWith("line ", error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Brackets_inside_strings_and_comments_do_not_count()
    {
        var text = Replace("name = demo", "name = \"demo\" # a comment with { and [\n  // another ]");

        Assert.Equal("demo", SweepFile.Parse(text, "ok.hocon").Name);
    }

    [Fact]
    public void Commas_between_objects_on_one_line_are_accepted()
    {
        var spec = SweepFile.Parse(
            "sweep { name = one-line, dataset { name = synthetic }, base { epochs = 2 }, grid { seed = [1, 2] }, rules { lr-scaling = sqrt } }",
            "one-line.hocon");

        Assert.Equal((2, 2, LrScaling.Sqrt), (spec.Base.Epochs, spec.Grids[0].Seed.Count, spec.Rules.LrScaling));
    }

    [Fact]
    public void A_missing_file_is_a_validation_error()
    {
        var error = Assert.Throws<SweepValidationException>(() => SweepFile.Load("/nonexistent/sweep.hocon"));

        Assert.Equal("/nonexistent/sweep.hocon: file: not found", error.Message);
    }

    [Fact]
    public void A_batch_larger_than_the_training_set_is_rejected_once_the_dataset_is_known()
    {
        var spec = SweepFile.Parse(Valid, "ok.hocon");

        var errors = DatasetChecks.Check(spec, new DatasetFacts(TrainCount: 1000, TestCount: 100, Features: 784, Classes: 10));

        var error = Assert.Single(errors);
        Assert.Equal("sweep.grid.batch-size[1]", error.Path);
        Assert.Equal("1024 is larger than the training set (1000 samples)", error.Message);
    }

    [Fact]
    public void The_train_subset_counts_when_checking_batch_sizes()
    {
        var spec = SweepFile.Parse(Replace("path = data/fashion-mnist", "path = data/fashion-mnist, train-subset = 500"), "ok.hocon");

        var errors = DatasetChecks.Check(spec, new DatasetFacts(60000, 10000, 784, 10));

        Assert.Equal(["sweep.grid.batch-size[1]"], errors.Select(e => e.Path));
    }

    [Fact]
    public void The_reference_file_documents_exactly_the_defaults()
    {
        var path = Path.Combine(TestMachine.RepoRoot(), "hocon", "sweeps", "reference.hocon");

        var spec = SweepFile.Load(path);

        var expected = SweepDefaults.Spec with
        {
            Name = "reference",
            Dataset = SweepDefaults.Spec.Dataset with { Path = "data/fashion-mnist" },
        };
        Assert.Equal(Describe(expected), Describe(spec));
    }

    /// <summary>Records holding lists compare lists by reference; compare their JSON instead.</summary>
    private static string Describe(SweepSpec s) => System.Text.Json.JsonSerializer.Serialize(s);


    private static string ReferencePath => Path.Combine(TestMachine.RepoRoot(), "hocon", "sweeps", "reference.hocon");

    [Fact]
    public void The_reference_file_has_every_key_the_parser_reads_and_no_other()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(ReferencePath));
        var documented = new HashSet<string>();
        void Walk(Akka.Configuration.Hocon.HoconObject obj, string path)
        {
            foreach (var (key, value) in obj.Items)
            {
                var full = path.Length == 0 ? key : $"{path}.{key}";
                if (value.IsObject()) Walk(value.GetObject(), full);
                else documented.Add(full);
            }
        }

        Walk(config.Root.GetObject(), "");

        Assert.Equal(SweepFile.KeysRead().Order(), documented.Order());
    }

    /// <summary>Every accepted name and every upper bound appears in the comment above its key.</summary>
    [Theory]
    [InlineData("sweep.dataset.name", "datasets")]
    [InlineData("sweep.model.name", "models")]
    [InlineData("sweep.model.norm", "norms")]
    [InlineData("sweep.model.depth", "depths")]
    [InlineData("sweep.optimizer.name", "optimizers")]
    [InlineData("sweep.schedule.name", "schedules")]
    [InlineData("sweep.regularizer", "regularizers")]
    [InlineData("sweep.rules.lr-scaling", "scalings")]
    [InlineData("sweep.grid.lr-scaling", "scalings")]
    [InlineData("sweep.metrics.flatness", "flatness")]
    [InlineData("sweep.model.hidden", "65,536", "64 layers")]
    [InlineData("sweep.base.epochs", "100,000")]
    [InlineData("sweep.grid.batch-size", "100,000,000", "full")]
    [InlineData("sweep.grid.learning-rate", "1e9")]
    [InlineData("sweep.grid.regularizer-strength", "1e9")]
    [InlineData("sweep.dataset.synthetic.train-size", "10,000,000", "2,000,000,000")]
    [InlineData("sweep.metrics.walk-points", "1,000")]
    [InlineData("sweep.metrics.sharpness.steps", "100,000")]
    [InlineData("sweep.checkpoint.every-epochs", "100,000")]
    [InlineData("sweep.name", "64 characters")]
    [InlineData("sweep.priority", "1,000")]
    public void The_reference_file_states_the_accepted_values_and_bounds_of(string key, params string[] expected)
    {
        var sets = new Dictionary<string, IEnumerable<string>>
        {
            ["datasets"] = SweepFile.Datasets, ["models"] = SweepFile.Models, ["norms"] = SweepFile.Norms,
            ["depths"] = SweepFile.ResNetDepths.Select(d => d.ToString()), ["optimizers"] = SweepFile.Optimizers,
            ["schedules"] = SweepFile.Schedules, ["regularizers"] = SweepFile.Regularizers, ["scalings"] = SweepFile.LrScalings,
            ["flatness"] = SweepFile.FlatnessMetrics,
        };
        var comment = CommentAbove(key);

        foreach (var word in expected.SelectMany(e => sets.TryGetValue(e, out var set) ? set : [e]))
        {
            Assert.True(comment.Contains(word, StringComparison.Ordinal), $"the comment on {key} does not mention {word}:\n{comment}");
        }
    }

    /// <summary>The lines from the start of a key's paragraph (its comment, and the keys set with it) to the key's line.</summary>
    private static string CommentAbove(string key)
    {
        var lines = File.ReadAllLines(ReferencePath);
        var parts = key.Split('.');
        int at = 0;
        foreach (var section in parts[1..^1])
        {
            at = Array.FindIndex(lines, at, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^\s*{section}\s*\{{"));
            Assert.True(at >= 0, $"no section {section} for {key}");
        }

        int line = Array.FindIndex(lines, at, l => !l.TrimStart().StartsWith('#') && System.Text.RegularExpressions.Regex.IsMatch(l, $@"(^|[\s{{,]){parts[^1]}\s*="));
        Assert.True(line >= 0, $"no line sets {key}");
        int first = line;
        while (first > 0 && lines[first - 1].Trim() is { Length: > 0 } above && !above.EndsWith('{') && above != "}") first--;
        return string.Join("\n", lines[first..(line + 1)]);
    }
}
