namespace SweepGrid.Core.Results;

/// <summary>One evaluation of a trial's target metric: its value after <paramref name="Step"/> updates, <paramref name="Epoch"/> epochs in (fractional within an epoch).</summary>
public sealed record Evaluation(long Step, double Epoch, double Value);

/// <summary>
/// Where a trial first reached a target: the update and epoch, interpolated. <paramref name="Bounded"/>: the
/// first evaluation had reached it already, so nothing is known before it and the step is an upper bound.
/// </summary>
public sealed record TargetReached(double Target, double Step, double Epoch, bool Bounded);

/// <summary>
/// Steps to target (Shallue et al. 2018, "Measuring the Effects of Data Parallelism on Neural Network
/// Training", §3.3): the first update at which a metric reached a target. Evaluations are discrete, so the
/// crossing is placed by linear interpolation between the last evaluation short of the target and the
/// first at or past it (Shallue et al. evaluate often enough that this matters little; here
/// metrics.eval-every-steps sets how often).
/// </summary>
public static class StepsToTarget
{
    /// <param name="evaluations">A trial's evaluations in step order.</param>
    /// <param name="higherIsBetter">Accuracy reaches a target from below, a loss from above.</param>
    /// <returns>Null when no evaluation reached the target.</returns>
    public static TargetReached? Find(IReadOnlyList<Evaluation> evaluations, double target, bool higherIsBetter)
    {
        bool Reached(double value) => higherIsBetter ? value >= target : value <= target;
        Evaluation? before = null; // the last finite evaluation short of the target
        foreach (var at in evaluations)
        {
            if (!double.IsFinite(at.Value)) continue;
            if (!Reached(at.Value))
            {
                before = at;
                continue;
            }

            if (before is null) return new TargetReached(target, at.Step, at.Epoch, Bounded: true);
            double f = (target - before.Value) / (at.Value - before.Value); // in (0, 1]: before is short, at is not
            return new TargetReached(target, before.Step + f * (at.Step - before.Step), before.Epoch + f * (at.Epoch - before.Epoch), Bounded: false);
        }

        return null;
    }

    /// <summary>
    /// A trial's evaluations from its epoch ends (step, epoch, value) and its mid-epoch evaluations (step,
    /// value), in step order; where both fall on one step the epoch end's counts (they are the same
    /// evaluation of the same weights). Every epoch of a trial has the same number of updates, so a
    /// mid-epoch step lies at step / steps-per-epoch epochs, the rate taken from the first epoch end.
    /// Mid-epoch evaluations before any epoch end has been recorded cannot be placed and are left out.
    /// </summary>
    public static IReadOnlyList<Evaluation> Merge(
        IEnumerable<(long Step, long Epoch, double Value)> epochEnds, IEnumerable<(long Step, double Value)> midEpoch)
    {
        var ends = epochEnds.OrderBy(e => e.Epoch).ToList();
        var byStep = new Dictionary<long, Evaluation>();
        // First come, first kept: rows from a store are not trusted to have one epoch per step.
        foreach (var e in ends) byStep.TryAdd(e.Step, new Evaluation(e.Step, e.Epoch, e.Value));
        if (ends.Count > 0 && ends[0].Step > 0)
        {
            double stepsPerEpoch = (double)ends[0].Step / ends[0].Epoch;
            foreach (var (step, value) in midEpoch)
            {
                byStep.TryAdd(step, new Evaluation(step, step / stepsPerEpoch, value));
            }
        }

        return byStep.Values.OrderBy(e => e.Step).ToList();
    }
}
