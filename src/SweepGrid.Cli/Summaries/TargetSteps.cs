using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cli.Summaries;

/// <summary>
/// Steps to target (metrics.targets) as read from the store: each trial's evaluations are its epoch ends
/// (table epochs) and, for test accuracy, the test evaluations on its points (metrics.eval-every-steps);
/// <see cref="StepsToTarget"/> finds the crossings. The one place the summary, the export (targets.csv) and
/// the report get them from.
/// </summary>
internal sealed class TargetSteps
{
    public static readonly string[] Columns = ["trial", "metric", "target", "reached", "step", "epoch", "bounded"];

    public static readonly TargetSteps None = new(TargetSpec.None, new Dictionary<string, IReadOnlyList<TargetReached?>>());

    private TargetSteps(TargetSpec spec, IReadOnlyDictionary<string, IReadOnlyList<TargetReached?>> byTrial)
    {
        Spec = spec;
        ByTrial = byTrial;
    }

    public TargetSpec Spec { get; }

    /// <summary>Trial → one entry per target of <see cref="Spec"/>, in its order; null where the trial did not reach it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TargetReached?>> ByTrial { get; }

    /// <summary>The targets of a stored sweep and where each of its trials reached them.</summary>
    /// <param name="epochs">The sweep's epochs if the caller has read them already; else they are read (only if it has targets).</param>
    /// <param name="points">Its points, likewise.</param>
    public static TargetSteps Load(ResultsStore store, string sweep, IReadOnlyList<EpochRow>? epochs = null, IReadOnlyList<PointRow>? points = null)
    {
        var spec = store.Read.Sweep(sweep).Metrics.TargetsOrNone;
        return spec.Values.Count == 0 ? None : Of(spec, epochs ?? store.Read.Epochs(sweep), points ?? store.Read.Points(sweep));
    }

    public static TargetSteps Of(TargetSpec spec, IEnumerable<EpochRow> epochs, IEnumerable<PointRow> points)
    {
        // A loss target is read at epoch ends only: the points carry no training-set evaluation.
        Func<EpochRow, double> value = spec.HigherIsBetter ? e => e.TestAccuracy : e => e.TrainLoss;
        var mid = spec.Metric == TargetSpec.TestAccuracy
            ? points.Where(p => p.TestAccuracy is not null).ToLookup(p => p.Trial, p => (p.Step, p.TestAccuracy!.Value))
            : Enumerable.Empty<PointRow>().ToLookup(p => p.Trial, p => (p.Step, 0.0));
        var byTrial = epochs
            .GroupBy(e => e.Trial)
            .ToDictionary(g => g.Key, g =>
            {
                var evaluations = StepsToTarget.Merge(g.Select(e => (e.Step, e.Epoch, value(e))), mid[g.Key]);
                return (IReadOnlyList<TargetReached?>)spec.Values.Select(t => StepsToTarget.Find(evaluations, t, spec.HigherIsBetter)).ToList();
            });
        return new TargetSteps(spec, byTrial);
    }

    /// <summary>targets.csv: a row per trial and target; step and epoch empty where it was not reached.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows(IEnumerable<string> trials) =>
        trials.Where(ByTrial.ContainsKey)
            .SelectMany(trial => ByTrial[trial].Select((reached, i) => (IReadOnlyList<object?>)
            [
                trial, Spec.Metric, Spec.Values[i], reached is null ? 0L : 1L, reached?.Step, reached?.Epoch, reached is { Bounded: true } ? 1L : 0L,
            ]))
            .ToList();
}
