using System.Text.Json;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Tests;

public sealed class SweepDefinitionTests
{
    private static SweepSpec Spec(string grid) => SweepFile.Parse($$"""
        sweep {
          name = definition
          dataset { name = synthetic }
          base { batch-size = 32 }
          grid { {{grid}} }
        }
        """, "definition.hocon");

    private static string Values(int count, Func<int, string> value) => $"[{string.Join(", ", Enumerable.Range(1, count).Select(value))}]";

    /// <summary>10 × 10 × 10 × 100 = 100,000 trials from a file of a few kilobytes.</summary>
    private static SweepSpec HundredThousand() => Spec(
        $"batch-size = {Values(10, i => (32 * i).ToString())}, learning-rate = {Values(10, i => $"{i}e-3")}, " +
        $"regularizer-strength = {Values(10, i => $"{i}e-5")}, seed = {Values(100, i => i.ToString())}");

    [Fact]
    public void A_hundred_thousand_trial_sweep_is_defined_in_a_few_kilobytes_and_expands_to_the_same_trials_again()
    {
        var definition = SweepDefinition.Create(HundredThousand(), trainCount: 1000, SweepDefinition.DefaultMaxTrials);

        Assert.Equal(100_000, definition.TrialCount);
        Assert.InRange(SweepJson.Bytes(definition).Length, 1, 8 * 1024);
        var again = JsonSerializer.Deserialize<SweepDefinition>(SweepJson.Bytes(definition), SweepJson.Options)!;
        var trials = again.Expand();
        Assert.Equal(100_000, trials.Select(t => t.TrialId).Distinct().Count());
        Assert.Equal(GridExpansion.Expand(definition.Spec, 1000).Select(t => t.TrialId), trials.Select(t => t.TrialId));
    }

    [Fact]
    public void More_cells_than_the_limit_are_refused_with_the_count_and_the_setting_without_expanding()
    {
        // 10^3 × 10^3 × 10^3 = 10^9 cells: expanding them would run the process out of memory.
        var huge = Spec($"learning-rate = {Values(1000, i => $"{i}e-4")}, regularizer-strength = {Values(1000, i => $"{i}e-7")}, seed = {Values(1000, i => i.ToString())}");

        Assert.Equal(1_000_000_000L, GridExpansion.CountCells(huge));
        var error = Assert.Single(Assert.Throws<SweepValidationException>(() => SweepDefinition.Create(huge, 1000, SweepDefinition.DefaultMaxTrials)).Errors);
        Assert.Equal("sweep.grid", error.Path);
        Assert.Contains("1,000,000,000 trials", error.Message);
        Assert.Contains("sweepgrid.sweeps.max-trials", error.Message);
        Assert.Contains("100,000", error.Message);
    }

    [Fact]
    public void The_limit_is_a_setting_and_counts_every_grid_of_a_list()
    {
        var spec = SweepFile.Parse("""
            sweep {
              name = union
              dataset { name = synthetic }
              grid = [ { seed = [1, 2, 3] }, { seed = [4, 5], learning-rate = [0.1, 0.2] } ]
            }
            """, "union.hocon");

        Assert.Equal(7, GridExpansion.CountCells(spec));
        Assert.Equal(7, SweepDefinition.Create(spec, 1000, maxTrials: 7).TrialCount);
        Assert.Throws<SweepValidationException>(() => SweepDefinition.Create(spec, 1000, maxTrials: 6));
    }

    [Fact]
    public void Cell_counts_saturate_instead_of_overflowing()
    {
        var spec = Spec("seed = [1]");
        var ints = Enumerable.Range(1, 100_000).ToList();
        var reals = ints.Select(i => i * 1e-6).ToList();
        var vast = spec.Grids[0] with { BatchSize = ints, GhostBatchSize = ints, Seed = ints, LearningRate = reals, RegularizerStrength = reals };

        Assert.Equal(long.MaxValue, GridExpansion.CountCells(spec with { Grids = [vast] }));
        Assert.Equal(long.MaxValue, GridExpansion.CountCells(spec with { Grids = [spec.Grids[0] with { BatchSize = ints, Seed = ints, LearningRate = reals }, vast] }));
    }

    [Fact]
    public void A_sweep_too_large_to_travel_as_one_message_is_refused()
    {
        var spec = Spec($"seed = {Values(12_000, i => (1_000_000 + i).ToString())}");

        var error = Assert.Single(Assert.Throws<SweepValidationException>(() => SweepDefinition.Create(spec, 1000, long.MaxValue)).Errors);
        Assert.Equal("sweep", error.Path);
        Assert.Contains("the limit is 49,152", error.Message);
        Assert.NotNull(SweepDefinition.SizeError(spec));
    }

    [Fact]
    public void A_definition_whose_trials_no_longer_match_its_fingerprint_is_refused()
    {
        var definition = SweepDefinition.Create(Spec("seed = [1, 2]"), 1000, 100);

        Assert.Equal(2, definition.Expand().Count);
        var changed = definition with { Spec = definition.Spec with { Base = definition.Spec.Base with { Epochs = 9 } } };
        var e = Assert.Throws<InvalidOperationException>(() => changed.Expand());
        Assert.Contains(definition.Fingerprint, e.Message);
    }
}
