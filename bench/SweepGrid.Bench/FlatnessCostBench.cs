using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Data;
using static TorchSharp.torch;

namespace SweepGrid.Bench;

/// <summary>
/// What each flatness metric costs, against one training epoch of the same trial: quick.hocon's
/// first trial (MLP 784-512-512-10 + batch norm, batch 128, bundled 10,000 Fashion-MNIST images),
/// trained for 2 epochs so the metrics run on trained weights, on all cores.
/// </summary>
internal static class FlatnessCostBench
{
    public static string Run()
    {
        set_num_threads(Environment.ProcessorCount);
        var spec = SweepFile.Load(Path.Combine("hocon", "sweeps", "quick.hocon"));
        var trial = GridExpansion.Expand(spec)[0];
        var data = Datasets.Load(trial.Dataset);
        using var session = new SweepGrid.Training.Loop.TrainingSession(trial, data, CPU, SweepGrid.Training.Loop.TrainerOptions.Default);
        session.TrainEpoch(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        session.TrainEpoch(CancellationToken.None);
        double epoch = clock.Elapsed.TotalSeconds;

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Cost of the flatness metrics ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"quick.hocon's first trial (MLP 784-512-512-10 + BN, batch 128, 10,000 images), {Environment.ProcessorCount} threads; one training epoch: {epoch:F2} s.");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Probe: the first {trial.Metrics!.ProbeSize} training samples; sharpness ε = {trial.Metrics.Sharpness.Epsilon}, {trial.Metrics.Sharpness.Steps} ascent steps; Hessian tolerance 1e-3, at most 100 iterations.");
        report.AppendLine();
        report.AppendLine("| metric | value | iterations | seconds | × one epoch |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        double total = 0;
        foreach (var metric in SweepFile.FlatnessMetrics)
        {
            var only = trial with { Metrics = trial.Metrics with { Flatness = [metric] } };
            using var measured = new SweepGrid.Training.Loop.TrainingSession(only, data, CPU, SweepGrid.Training.Loop.TrainerOptions.Default);
            measured.TrainEpoch(CancellationToken.None);
            measured.TrainEpoch(CancellationToken.None);
            foreach (var r in measured.MeasureFlatness(2))
            {
                if (trial.Metrics.Flatness.Contains(r.Metric) || r.Metric == "classifier-trace") total += r.Seconds * (r.Metric == "classifier-trace" ? 0 : 1);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Metric} | {r.Value:G4} | {r.Iterations} | {r.Seconds:F2} | {r.Seconds / epoch:F2} |");
            }
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Default suite ({string.Join(", ", trial.Metrics.Flatness)}): {total:F2} s = {total / epoch:F2} × one epoch.");
        return report.ToString();
    }
}
