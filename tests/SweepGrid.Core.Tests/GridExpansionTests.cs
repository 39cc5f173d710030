using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Tests;

public sealed class GridExpansionTests
{
    private static SweepSpec Sweep(string grid, string rules = "", string name = "g") => SweepFile.Parse($$"""
        sweep {
          name = {{name}}
          dataset { name = synthetic }
          base { batch-size = 128, learning-rate = 0.1, epochs = 4 }
          grid { {{grid}} }
          rules { {{rules}} }
        }
        """, "grid.hocon");

    [Fact]
    public void The_grid_is_the_cartesian_product_in_a_fixed_order()
    {
        var trials = GridExpansion.Expand(Sweep("batch-size = [128, 512], learning-rate = [0.1, 0.2], seed = [1, 2, 3]"));

        Assert.Equal(12, trials.Count);
        Assert.Equal(12, trials.Select(t => t.TrialId).Distinct().Count());
        Assert.Equal((128, 0.1, 1), (trials[0].BatchSize, trials[0].LearningRate, trials[0].Seed));
        Assert.Equal((128, 0.1, 2), (trials[1].BatchSize, trials[1].LearningRate, trials[1].Seed));
        Assert.Equal((512, 0.2, 3), (trials[^1].BatchSize, trials[^1].LearningRate, trials[^1].Seed));
    }

    [Fact]
    public void Axes_left_out_take_the_base_regime_and_neutral_values()
    {
        var trial = Assert.Single(GridExpansion.Expand(Sweep("")));

        Assert.Equal((128, 0.1, 0, 0.0, 1, 4), (trial.BatchSize, trial.LearningRate, trial.GhostBatchSize,
            trial.RegularizerStrength, trial.Seed, trial.Epochs));
    }

    [Theory]
    [InlineData("none", 0.1)]
    [InlineData("linear", 0.8)]
    [InlineData("sqrt", 0.28284271247461906)]
    public void Learning_rate_scaling_follows_the_rule(string rule, double expected)
    {
        var trial = Assert.Single(GridExpansion.Expand(Sweep("batch-size = [1024]", $"lr-scaling = {rule}")));

        Assert.Equal(expected, trial.LearningRate, 12);
        Assert.Equal(0.1, trial.GridLearningRate);
    }

    [Fact]
    public void Regime_adaptation_multiplies_epochs_so_update_counts_match()
    {
        var trials = GridExpansion.Expand(Sweep("batch-size = [64, 128, 1024, 4096]", "regime-adaptation = true"));

        Assert.Equal([2, 4, 32, 128], trials.Select(t => t.Epochs));
    }

    [Fact]
    public void Regime_adaptation_rounds_up_and_keeps_one_epoch()
    {
        Assert.Equal(3, DerivationRules.Epochs(baseEpochs: 2, batchSize: 192, baseBatchSize: 128, regimeAdaptation: true));
        Assert.Equal(1, DerivationRules.Epochs(baseEpochs: 1, batchSize: 8, baseBatchSize: 128, regimeAdaptation: true));
        Assert.Equal(2, DerivationRules.Epochs(baseEpochs: 2, batchSize: 4096, baseBatchSize: 128, regimeAdaptation: false));
    }

    [Fact]
    public void Ids_are_stable_across_parses_formatting_and_comments()
    {
        var a = GridExpansion.Expand(Sweep("batch-size = [128, 512], seed = [1, 2]"));
        var b = GridExpansion.Expand(Sweep("# same grid\n batch-size = [ 128 , 512 ]\n seed = [1,2]"));

        Assert.Equal(a.Select(t => t.TrialId), b.Select(t => t.TrialId));
        Assert.All(a, t => Assert.Matches("^[0-9a-f]{12}$", t.TrialId));
    }

    [Fact]
    public void Ids_change_with_any_resolved_parameter_and_with_the_sweep_name()
    {
        var baseline = GridExpansion.Expand(Sweep("seed = [1]"))[0].TrialId;

        Assert.NotEqual(baseline, GridExpansion.Expand(Sweep("seed = [2]"))[0].TrialId);
        Assert.NotEqual(baseline, GridExpansion.Expand(Sweep("learning-rate = [0.2]"))[0].TrialId);
        Assert.NotEqual(baseline, GridExpansion.Expand(Sweep("regularizer-strength = [0.001]"))[0].TrialId);
        Assert.NotEqual(baseline, GridExpansion.Expand(Sweep("seed = [1]", name: "other"))[0].TrialId);
    }

    [Fact]
    public void Micro_batching_has_its_own_ids_and_leaves_those_without_it_as_they_were()
    {
        var without = GridExpansion.Expand(Sweep("seed = [1]"))[0];
        var micro = GridExpansion.Expand(SweepFile.Parse("""
            sweep {
              name = g
              dataset { name = synthetic }
              base { batch-size = 128, learning-rate = 0.1, epochs = 4 }
              grid { seed = [1] }
              training { micro-batch = 32 }
            }
            """, "grid.hocon"))[0];

        Assert.Equal((0, 32), (without.ChunkSize, micro.ChunkSize));
        Assert.Contains(";batch=128/micro32;", TrialIdentity.Canonical(micro));
        Assert.NotEqual(without.TrialId, micro.TrialId);
    }

    [Fact]
    public void Ids_are_pinned_so_a_change_of_hashing_is_noticed()
    {
        // Changing the canonical form would orphan every stored trial; this test makes that a decision.
        var trial = GridExpansion.Expand(Sweep(""))[0];

        Assert.Equal(
            "sweep=g;dataset=synthetic/0/2048x64:10/512;model=mlp/512-512/batch;optimizer=sgd/0.9/False/wd0/clip0;" +
            "schedule=constant//0.1/0;batch=128;lr=0.1;ghost=0;regularizer=weight-decay/0;seed=1;epochs=4;max-loss=1000;every=50",
            TrialIdentity.Canonical(trial));
    }

    [Fact]
    public void A_ghost_batch_equal_to_the_batch_is_ordinary_batch_norm_and_one_trial()
    {
        var trials = GridExpansion.Expand(Sweep("batch-size = [128], ghost-batch-size = [0, 128]"));

        var trial = Assert.Single(trials);
        Assert.Equal(0, trial.GhostBatchSize);
    }

    [Fact]
    public void Rules_are_axes_too()
    {
        var trials = GridExpansion.Expand(Sweep("batch-size = [1024], lr-scaling = [none, sqrt], regime-adaptation = [false, true]"));

        Assert.Equal(4, trials.Count);
        Assert.Equal([(0.1, 4), (0.1, 32), (0.282843, 4), (0.282843, 32)],
            trials.Select(t => (Math.Round(t.LearningRate, 6), t.Epochs)));
        Assert.Equal([LrScaling.None, LrScaling.None, LrScaling.Sqrt, LrScaling.Sqrt], trials.Select(t => t.LrScaling));
    }

    [Fact]
    public void A_list_of_grids_is_the_union_of_their_products_without_duplicates()
    {
        var spec = SweepFile.Parse("""
            sweep {
              name = study
              dataset { name = synthetic }
              base { batch-size = 128, learning-rate = 0.1, epochs = 2 }
              grid = [
                { batch-size = [128, 1024], seed = [1, 2] }
                { batch-size = [1024], lr-scaling = [sqrt], seed = [1, 2] }
                { batch-size = [128], seed = [2] }
              ]
            }
            """, "study.hocon");

        var trials = GridExpansion.Expand(spec);

        Assert.Equal(["sweep.grid[0]", "sweep.grid[1]", "sweep.grid[2]"], spec.Grids.Select(g => g.Path));
        Assert.Equal(6, trials.Count);
        Assert.Equal([128, 128, 1024, 1024, 1024, 1024], trials.Select(t => t.BatchSize));
    }

    [Fact]
    public void Regime_adaptation_stretches_the_schedule_with_the_epochs()
    {
        var spec = SweepFile.Parse("""
            sweep {
              name = sched
              dataset { name = synthetic }
              base { batch-size = 128, learning-rate = 0.1, epochs = 10 }
              schedule { name = step, drop-epochs = [5, 8], warmup-epochs = 1 }
              grid { batch-size = [128, 512], regime-adaptation = [true] }
            }
            """, "sched.hocon");

        var trials = GridExpansion.Expand(spec);

        Assert.Equal([5, 8], trials[0].Schedule.DropEpochs);
        Assert.Equal((40, 1), (trials[1].Epochs, 1));
        Assert.Equal([20, 32], trials[1].Schedule.DropEpochs);
        Assert.Equal(4, trials[1].Schedule.WarmupEpochs);
    }

    [Fact]
    public void Learning_rate_over_batch_size_is_reported()
    {
        var trial = GridExpansion.Expand(Sweep("batch-size = [512]", "lr-scaling = linear"))[0];

        Assert.Equal(0.4 / 512, trial.LearningRateOverBatchSize, 15);
    }
}
