using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>The sweep's trials: the cartesian product of the grid axes, each with derived parameters.</summary>
public static class GridExpansion
{
    /// <summary>
    /// Trials in a fixed order (grid by grid; within a grid batch size outermost, seed innermost) so
    /// listings are stable. Cells that resolve to the same parameters (two grids listing the same cell,
    /// or two learning rates scaled to one value) are one trial, not two.
    /// </summary>
    /// <param name="trainCount">Training samples after any subset; needed only when a grid lists batch-size = full.</param>
    public static IReadOnlyList<TrialSpec> Expand(SweepSpec sweep, int? trainCount = null)
    {
        var trials = new List<TrialSpec>();
        var seen = new HashSet<string>();
        foreach (var g in sweep.Grids)
        foreach (var listed in g.BatchSize)
        foreach (var scaling in g.LrScaling)
        foreach (var adapt in g.RegimeAdaptation)
        foreach (var lr in g.LearningRate)
        foreach (var ghost in g.GhostBatchSize)
        foreach (var strength in g.RegularizerStrength)
        foreach (var seed in g.Seed)
        {
            bool full = listed == GridAxes.FullBatch;
            int batch = full
                ? trainCount ?? throw new InvalidOperationException("batch-size = full needs the training-set size to expand the grid")
                : listed;
            var trial = Resolve(sweep, new Cell(batch, lr, ghost, strength, seed, scaling, adapt, full));
            if (seen.Add(trial.TrialId)) trials.Add(trial);
        }

        return trials;
    }

    /// <summary>
    /// How many cells the grids have (the sum over grids of the product of their axis lengths), counted
    /// without expanding them, so that a grid of 10⁹ cells is refused in microseconds instead of running
    /// the process out of memory. An upper bound of the trials: cells that resolve to one trial count
    /// once each. Saturates at <see cref="long.MaxValue"/>.
    /// </summary>
    public static long CountCells(SweepSpec sweep)
    {
        long total = 0;
        foreach (var g in sweep.Grids)
        {
            long cells = 1;
            foreach (int length in new[]
                     {
                         g.BatchSize.Count, g.LrScaling.Count, g.RegimeAdaptation.Count, g.LearningRate.Count,
                         g.GhostBatchSize.Count, g.RegularizerStrength.Count, g.Seed.Count,
                     })
            {
                cells = length == 0 ? 0 : cells > long.MaxValue / length ? long.MaxValue : cells * length;
            }

            total = total > long.MaxValue - cells ? long.MaxValue : total + cells;
        }

        return total;
    }

    private sealed record Cell(int Batch, double GridLr, int Ghost, double Strength, int Seed, LrScaling Scaling, bool Adapt, bool Full);

    private static TrialSpec Resolve(SweepSpec s, Cell c)
    {
        var unnamed = new TrialSpec(
            TrialId: "",
            SweepName: s.Name,
            Dataset: s.Dataset,
            Model: s.Model,
            Optimizer: s.Optimizer,
            BatchSize: c.Batch,
            GridLearningRate: c.GridLr,
            LearningRate: DerivationRules.LearningRate(c.GridLr, c.Batch, s.Base.BatchSize, c.Scaling),
            // g = B is ordinary batch norm (Hoffer et al. 2017): store it as 0 so both spell one trial.
            GhostBatchSize: c.Ghost == c.Batch ? 0 : c.Ghost,
            Regularizer: s.Regularizer,
            RegularizerStrength: c.Strength,
            Seed: c.Seed,
            Epochs: DerivationRules.Epochs(s.Base.Epochs, c.Batch, s.Base.BatchSize, c.Adapt),
            Schedule: DerivationRules.Schedule(s.Schedule, c.Batch, s.Base.BatchSize, c.Adapt),
            LrScaling: c.Scaling,
            RegimeAdaptation: c.Adapt,
            MaxLoss: s.Training.MaxLoss,
            MetricsEverySteps: s.Metrics.EverySteps,
            FullBatch: c.Full,
            ChunkSize: c.Full ? s.Training.ChunkSize : s.Training.MicroBatch,
            // Measurements, not training: they are not part of the trial's identity.
            Metrics: s.Metrics,
            CheckpointEveryEpochs: s.CheckpointOrDefault.EveryEpochs);
        return unnamed with { TrialId = TrialIdentity.Of(unnamed) };
    }
}
