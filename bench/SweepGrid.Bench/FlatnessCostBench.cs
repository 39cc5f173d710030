using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using SweepGrid.Training.Metrics;
using static TorchSharp.torch;

namespace SweepGrid.Bench;

/// <summary>
/// What each flatness metric costs, against one training epoch of the same trial: quick.hocon's
/// first trial (MLP 784-512-512-10 + batch norm, batch 128, bundled 10,000 Fashion-MNIST images),
/// trained for 2 epochs so the metrics run on trained weights, on all cores. Then how accurate
/// stochastic Lanczos quadrature is for its cost: its top eigenvalue against 100 power iterations,
/// its trace against 200 Hutchinson vectors, on the same weights and probe.
/// </summary>
internal static class FlatnessCostBench
{
    private static readonly (int Steps, int Vectors, int TraceVectors)[] LanczosSettings =
        [(5, 1, 1), (10, 1, 1), (10, 1, 10), (10, 1, 20), (10, 1, 40), (20, 2, 20), (30, 1, 20)];

    public static string Run()
    {
        set_num_threads(Environment.ProcessorCount);
        var spec = SweepFile.Load(Path.Combine("hocon", "sweeps", "quick.hocon"));
        var trial = GridExpansion.Expand(spec)[0];
        var data = Datasets.Load(trial.Dataset);
        double epoch = EpochSeconds(trial, data);
        var metrics = trial.Metrics!;

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Cost of the flatness metrics ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"quick.hocon's first trial (MLP 784-512-512-10 + BN, batch 128, 10,000 images), {Environment.ProcessorCount} threads; one training epoch: {epoch:F2} s.");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Probe: the first {metrics.ProbeSize} training samples; sharpness ε = {metrics.Sharpness.Epsilon}, {metrics.Sharpness.Steps} ascent steps. " +
            $"hessian.method = power: tolerance {HessianSpectrum.Tolerance}, at most {HessianSpectrum.MaxIterations} iterations; " +
            $"lanczos: {metrics.HessianOrDefault.LanczosSteps} steps × {metrics.HessianOrDefault.Vectors} vector(s), {metrics.HessianOrDefault.TraceVectors} trace vectors (the defaults).");
        report.AppendLine();
        report.AppendLine("| metric | method | value | Hessian-vector products / iterations | seconds | × one epoch |");
        report.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        var power = trial with { Metrics = metrics with { Hessian = HessianSpec.Power } };
        var rows = new List<(string Metric, string Method, double Value, int Iterations, double Seconds)>();
        foreach (var metric in SweepFile.FlatnessMetrics)
        {
            bool hessian = metric.StartsWith("hessian", StringComparison.Ordinal);
            rows.AddRange(Measure(power, data, [metric], hessian ? "power" : ""));
        }

        // Lanczos: the two Hessian metrics together, as the default suite measures them.
        rows.AddRange(Measure(trial, data, ["hessian-top", "hessian-trace"], "lanczos"));
        foreach (var r in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Metric} | {r.Method} | {r.Value:G4} | {r.Iterations} | {r.Seconds:F2} | {r.Seconds / epoch:F2} |");
        }

        double Suite(string method) => rows.Where(r => r.Metric is "sharpness" or "relative-flatness" || (r.Metric.StartsWith("hessian", StringComparison.Ordinal) && r.Method == method))
            .Sum(r => r.Seconds);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Default suite ({string.Join(", ", metrics.Flatness)}): {Suite("lanczos"):F2} s = {Suite("lanczos") / epoch:F2} × one epoch with hessian.method = lanczos; " +
            $"{Suite("power"):F2} s = {Suite("power") / epoch:F2} × one epoch with power.");
        report.AppendLine();
        report.Append(Accuracy(trial, data, epoch));
        return report.ToString();
    }

    private static double EpochSeconds(TrialSpec trial, DatasetPair data)
    {
        using var session = new TrainingSession(trial, data, CPU, TrainerOptions.Default);
        session.TrainEpoch(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        session.TrainEpoch(CancellationToken.None);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The metrics after 2 epochs of a fresh session (same seed: same weights every time).</summary>
    private static IEnumerable<(string Metric, string Method, double Value, int Iterations, double Seconds)> Measure(
        TrialSpec trial, DatasetPair data, IReadOnlyList<string> flatness, string method)
    {
        var only = trial with { Metrics = trial.Metrics! with { Flatness = flatness } };
        using var session = new TrainingSession(only, data, CPU, TrainerOptions.Default);
        session.TrainEpoch(CancellationToken.None);
        session.TrainEpoch(CancellationToken.None);
        return session.MeasureFlatness(2).Select(r => (r.Metric, method, r.Value, r.Iterations, r.Seconds)).ToList();
    }

    /// <summary>Lanczos settings against the references, on the probe of the trained session.</summary>
    private static string Accuracy(TrialSpec trial, DatasetPair data, double epoch)
    {
        using var session = new TrainingSession(trial, data, CPU, TrainerOptions.Default);
        session.TrainEpoch(CancellationToken.None);
        session.TrainEpoch(CancellationToken.None);
        using var hessian = session.ProbeHessian();

        var clock = Stopwatch.StartNew();
        double top = HessianSpectrum.TopEigenvalue(hessian, new Generator(1), maxIterations: 100, tolerance: 0).Value;
        double topSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var hutchinson = HessianSpectrum.Quadrature(hessian, new Generator(2), steps: 1, vectors: 200);
        double traceSeconds = clock.Elapsed.TotalSeconds;

        var text = new StringBuilder();
        text.AppendLine("## Stochastic Lanczos quadrature against the references");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"References on the same weights and probe: top eigenvalue {top:G6} by 100 power iterations ({topSeconds:F1} s); " +
            $"trace {hutchinson.Trace:G5} ± {hutchinson.TraceStandardError:G3} (standard error) from 200 Hutchinson vectors ({traceSeconds:F1} s). " +
            $"Goals: top eigenvalue within 1 % of the reference, trace within two standard errors (of the difference).");
        text.AppendLine();
        text.AppendLine("| steps × vectors, trace vectors | products | top eigenvalue | error | trace ± s.e. | difference / s.e. | seconds | × one epoch |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (steps, vectors, traceVectors) in LanczosSettings)
        {
            clock.Restart();
            var q = HessianSpectrum.Quadrature(hessian, new Generator(3), steps, vectors, traceVectors);
            double seconds = clock.Elapsed.TotalSeconds;
            bool several = q.QuadraticForms.Count > 1;
            double se = several ? Math.Sqrt(q.TraceStandardError * q.TraceStandardError + hutchinson.TraceStandardError * hutchinson.TraceStandardError) : hutchinson.TraceStandardError;
            var trace = several
                ? string.Create(CultureInfo.InvariantCulture, $"{q.Trace:G5} ± {q.TraceStandardError:G3}")
                : q.Trace.ToString("G5", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {steps} × {vectors}, {traceVectors} | {q.Products} | {q.Top:G6} | {(q.Top - top) / top:P2} | {trace} | " +
                $"{Math.Abs(q.Trace - hutchinson.Trace) / se:F2} | {seconds:F2} | {seconds / epoch:F2} |");
        }

        text.AppendLine();
        text.AppendLine("With one start vector the trace has no standard error of its own; the difference is then divided by the reference's alone.");
        return text.ToString();
    }
}
