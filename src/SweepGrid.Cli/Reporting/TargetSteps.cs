using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cli.Reporting;

/// <summary>
/// Steps to target (metrics.targets) as read from the store: each trial's evaluations are its epoch ends
/// (table trajectory) and, for test accuracy, the test evaluations on its points (metrics.eval-every-steps);
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
    public static TargetSteps Load(ResultsStore store, string sweep)
    {
        var spec = store.LoadSweep(sweep).Metrics.TargetsOrNone;
        return spec.Values.Count == 0 ? None : Of(spec, store.Rows("trajectory", sweep), store.Rows("points", sweep));
    }

    public static TargetSteps Of(
        TargetSpec spec, IEnumerable<IReadOnlyDictionary<string, object?>> trajectory, IEnumerable<IReadOnlyDictionary<string, object?>> points)
    {
        // A loss target is read at epoch ends only: the points carry no training-set evaluation.
        string column = spec.HigherIsBetter ? "test_acc" : "train_loss";
        var mid = spec.Metric == TargetSpec.TestAccuracy
            ? points.Where(p => p["test_acc"] is double).ToLookup(p => (string)p["trial"]!, p => ((long)p["step"]!, (double)p["test_acc"]!))
            : Enumerable.Empty<(long, double)>().ToLookup(_ => "");
        var byTrial = trajectory
            .GroupBy(r => (string)r["trial"]!)
            .ToDictionary(g => g.Key, g =>
            {
                var evaluations = StepsToTarget.Merge(g.Select(r => ((long)r["step"]!, (long)r["epoch"]!, (double)r[column]!)), mid[g.Key]);
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
