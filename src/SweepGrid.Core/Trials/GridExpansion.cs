using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>The sweep's trials: the cartesian product of the grid axes, each with derived parameters.</summary>
public static class GridExpansion
{
    /// <summary>
    /// Trials in a fixed order (batch size outermost, seed innermost) so listings are stable. Two
    /// cells that resolve to the same parameters (e.g. two grid learning rates scaled to one value)
    /// are one trial, not two.
    /// </summary>
    public static IReadOnlyList<TrialSpec> Expand(SweepSpec sweep)
    {
        var g = sweep.Grid;
        var trials = new List<TrialSpec>();
        var seen = new HashSet<string>();
        foreach (var batch in g.BatchSize)
        foreach (var lr in g.LearningRate)
        foreach (var ghost in g.GhostBatchSize)
        foreach (var strength in g.RegularizerStrength)
        foreach (var seed in g.Seed)
        {
            var trial = Resolve(sweep, batch, lr, ghost, strength, seed);
            if (seen.Add(trial.TrialId)) trials.Add(trial);
        }

        return trials;
    }

    private static TrialSpec Resolve(SweepSpec s, int batch, double gridLr, int ghost, double strength, int seed)
    {
        var unnamed = new TrialSpec(
            TrialId: "",
            SweepName: s.Name,
            Dataset: s.Dataset,
            Model: s.Model,
            Optimizer: s.Optimizer,
            BatchSize: batch,
            GridLearningRate: gridLr,
            LearningRate: DerivationRules.LearningRate(gridLr, batch, s.Base.BatchSize, s.Rules.LrScaling),
            // g = B is ordinary batch norm (Hoffer et al. 2017): store it as 0 so both spell one trial.
            GhostBatchSize: ghost == batch ? 0 : ghost,
            Regularizer: s.Regularizer,
            RegularizerStrength: strength,
            Seed: seed,
            Epochs: DerivationRules.Epochs(s.Base.Epochs, batch, s.Base.BatchSize, s.Rules.RegimeAdaptation),
            LrScaling: s.Rules.LrScaling,
            RegimeAdaptation: s.Rules.RegimeAdaptation,
            MetricsEverySteps: s.Metrics.EverySteps);
        return unnamed with { TrialId = TrialIdentity.Of(unnamed) };
    }
}
