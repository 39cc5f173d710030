using System.Globalization;
using SweepGrid.Core.Results;
using SweepGrid.Store;

namespace SweepGrid.Cli.Summaries;

/// <summary>
/// Mean ± standard deviation over seeds: the trials of a sweep grouped by every parameter except the
/// seed, in grid order. MNIST-scale gaps are comparable to seed noise (SCIENCE.md §7), so a setting
/// is only ever reported with its spread. Standard deviation is the sample one (n − 1).
/// </summary>
internal static class SeedStatistics
{
    public sealed record Stat(double Mean, double Std, int N)
    {
        public string Format(string format) => N == 0
            ? "-"
            : N == 1
                ? Mean.ToString(format, CultureInfo.InvariantCulture)
                : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <param name="Setting">The group's first trial: every parameter but the seed is the group's.</param>
    public sealed record Group(
        TrialRow Setting, int Trials, int Finished, long? Steps,
        Stat TestAccuracy, Stat Gap, Stat LossGap, Stat WeightDistance, Stat Seconds)
    {
        /// <summary>Final-epoch flatness metrics by name, over the group's trials that measured them.</summary>
        public IReadOnlyDictionary<string, Stat> Flatness { get; init; } = new Dictionary<string, Stat>();

        /// <summary>Steps to each target of metrics.targets, over the group's finished trials.</summary>
        public IReadOnlyList<TargetStat> Targets { get; init; } = [];
    }

    /// <summary>
    /// Steps to one target over a setting's finished seeds: the mean and spread of those that reached
    /// it (<see cref="Stat.N"/> of them), out of <paramref name="Finished"/>. A seed that never reached
    /// the target has no step count to average; the column says how many did. <paramref name="Bounded"/>: some
    /// seed had reached it at its first evaluation, so the mean is an upper bound (written "≤").
    /// </summary>
    public sealed record TargetStat(double Target, Stat Steps, int Finished, bool Bounded = false)
    {
        public string Format() => (Bounded ? "≤ " : "") + (Steps.N == Finished ? Steps.Format("F0") : $"{Steps.Format("F0")} ({Steps.N}/{Finished})");
    }

    /// <summary>Groups with flatness (each trial's measurements at its last measured epoch) and steps to target.</summary>
    public static IReadOnlyList<Group> Summarize(IEnumerable<TrialRow> trials, IEnumerable<FlatnessRow> flatness, TargetSteps? targets = null)
    {
        var final = FinalFlatness(flatness);
        targets ??= TargetSteps.None;
        return trials
            .GroupBy(SettingKey)
            .Select(g =>
            {
                var members = g.ToList();
                var finished = members.Where(t => t.Finished).ToList();
                var measured = members.Where(t => final.ContainsKey(t.Trial)).Select(t => final[t.Trial]).ToList();
                var metrics = measured.SelectMany(m => m.Keys).Distinct().Order(StringComparer.Ordinal);
                return new Group(
                    members[0], members.Count, finished.Count, finished.Select(t => t.Steps).FirstOrDefault(),
                    Of(finished, t => t.TestAccuracy!.Value),
                    Of(finished, t => t.Gap!.Value),
                    Of(finished, t => t.LossGap!.Value),
                    Of(finished, t => t.WeightDistance!.Value),
                    Of(finished, t => t.Seconds!.Value))
                {
                    Flatness = metrics.ToDictionary(m => m, m => Of(measured.Where(x => x.ContainsKey(m)).ToList(), x => x[m])),
                    Targets = targets.Spec.Values.Select((target, i) =>
                    {
                        var reached = finished.Select(t => targets.ByTrial.GetValueOrDefault(t.Trial)?[i]).OfType<TargetReached>().ToList();
                        return new TargetStat(target, Of(reached, r => r.Step), finished.Count, reached.Any(r => r.Bounded));
                    }).ToList(),
                };
            })
            .ToList();
    }

    /// <summary>Each trial's flatness measurements at its last measured epoch, metric → value.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> FinalFlatness(IEnumerable<FlatnessRow> flatness) =>
        flatness
            .GroupBy(f => f.Trial)
            .ToDictionary(g => g.Key, g =>
            {
                long last = g.Max(f => f.Epoch);
                return (IReadOnlyDictionary<string, double>)g.Where(f => f.Epoch == last && f.Value is not null)
                    .ToDictionary(f => f.Metric, f => f.Value!.Value);
            });

    /// <summary>Every parameter of a trial but its seed: what a row of the summary groups by.</summary>
    private static object SettingKey(TrialRow t) =>
        (t.BatchSize, t.LearningRate, t.LrScaling, t.RegimeAdaptation, t.GhostBatchSize, t.Regularizer, t.RegularizerStrength,
            t.Epochs, t.Schedule, t.Model, t.Optimizer);

    public static Stat Of<T>(IReadOnlyList<T> items, Func<T, double> value)
    {
        if (items.Count == 0) return new Stat(double.NaN, double.NaN, 0);
        var values = items.Select(value).ToList();
        double mean = values.Average();
        double std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new Stat(mean, std, values.Count);
    }

    /// <summary>A short label for a setting, naming only what a researcher varies in this line of work.</summary>
    public static string Label(TrialRow s)
    {
        var parts = new List<string> { $"B={s.BatchSize}", $"lr={s.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}" };
        if (s.LrScaling != "none") parts.Add($"({s.LrScaling})");
        if (s.GhostBatchSize > 0) parts.Add($"ghost={s.GhostBatchSize}");
        if (s.RegimeAdaptation) parts.Add("RA");
        if (s.RegularizerStrength > 0) parts.Add($"{s.Regularizer}={s.RegularizerStrength.ToString("G3", CultureInfo.InvariantCulture)}");
        parts.Add($"{s.Epochs} ep");
        return string.Join(' ', parts);
    }
}
