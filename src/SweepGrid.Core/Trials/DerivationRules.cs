using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>Derives a trial's learning rate and epoch count from the small-batch reference regime.</summary>
public static class DerivationRules
{
    /// <summary>
    /// η = η_grid · (B / B_base) for the linear rule (Goyal et al. 2017) or · sqrt(B / B_base) for the
    /// square-root rule (Hoffer, Hubara, Soudry 2017, "Train longer, generalize better", §4).
    /// </summary>
    public static double LearningRate(double gridLearningRate, int batchSize, int baseBatchSize, LrScaling rule)
    {
        double ratio = (double)batchSize / baseBatchSize;
        return rule switch
        {
            LrScaling.None => gridLearningRate,
            LrScaling.Linear => gridLearningRate * ratio,
            LrScaling.Sqrt => gridLearningRate * Math.Sqrt(ratio),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
    }

    /// <summary>
    /// Regime adaptation (Hoffer et al. 2017, §5): multiply the epochs by B / B_base so the number of
    /// weight updates matches the reference. Rounded up, so a large batch never gets fewer updates
    /// than the reference; at least one epoch.
    /// </summary>
    public static int Epochs(int baseEpochs, int batchSize, int baseBatchSize, bool regimeAdaptation)
    {
        if (!regimeAdaptation) return baseEpochs;
        return Stretch(baseEpochs, batchSize, baseBatchSize);
    }

    /// <summary>
    /// Regime adaptation also moves every learning-rate drop, and the warm-up, by B / B_base
    /// (Hoffer et al. 2017, §5: "the epochs at which the learning rate is decreased are multiplied").
    /// </summary>
    public static ScheduleSpec Schedule(ScheduleSpec schedule, int batchSize, int baseBatchSize, bool regimeAdaptation)
    {
        if (!regimeAdaptation) return schedule;
        return schedule with
        {
            DropEpochs = schedule.DropEpochs.Select(e => Stretch(e, batchSize, baseBatchSize)).ToList(),
            WarmupEpochs = schedule.WarmupEpochs == 0 ? 0 : Stretch(schedule.WarmupEpochs, batchSize, baseBatchSize),
        };
    }

    private static int Stretch(int epochs, int batchSize, int baseBatchSize) =>
        Math.Max(1, (int)Math.Ceiling(epochs * (double)batchSize / baseBatchSize));
}
