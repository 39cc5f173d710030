using SweepGrid.Core.Numerics;
using System.Diagnostics;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// Measures the flatness metrics a sweep asks for, on a fixed probe of training samples with batch
/// norm (and dropout) in eval mode, so numbers are comparable across trials and epochs. Each
/// metric's cost is timed. Parameters are left exactly as found.
/// </summary>
public static class FlatnessSuite
{
    public static IReadOnlyList<FlatnessRecord> Measure(
        nn.Module<Tensor, Tensor> model, Tensor probeX, Tensor probeY, MetricsSpec spec, int epoch, long seed) =>
        Measure(model, probeX, probeY, spec, epoch, seed, out _);

    /// <param name="spectrum">The Lanczos runs' nodes, when hessian-top or hessian-trace was measured by stochastic Lanczos quadrature; else null.</param>
    /// <param name="training">The training set, which the gradient noise scale samples; null: the probe.</param>
    public static IReadOnlyList<FlatnessRecord> Measure(
        nn.Module<Tensor, Tensor> model, Tensor probeX, Tensor probeY, MetricsSpec spec, int epoch, long seed, out SpectrumRecord? spectrum,
        (Tensor X, Tensor Y)? training = null)
    {
        bool wasTraining = model.training;
        model.eval();
        var parameters = Parameters(model);
        var loss = ProbeLoss(model, probeX, probeY);
        using var generator = new Generator((ulong)seed);
        var records = new List<FlatnessRecord>();
        HessianOperator? hessian = null;
        SpectralQuadrature? quadrature = null;
        try
        {
            foreach (var metric in spec.Flatness)
            {
                var clock = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                switch (metric)
                {
                    case "sharpness" or "sharpness-subspace":
                        var settings = new EpsilonSharpness.Settings(spec.Sharpness.Epsilon, spec.Sharpness.Steps,
                            SubspaceDimension: metric == "sharpness" ? 0 : spec.Sharpness.SubspaceDimension);
                        var sharp = EpsilonSharpness.Measure(loss, parameters, settings, generator);
                        records.Add(new FlatnessRecord(epoch, metric, sharp.Sharpness, clock.Elapsed.TotalSeconds, spec.Sharpness.Steps));
                        // The ascent wrote the parameters in place (and put them back): a Hessian operator built
                        // before holds a graph of their old versions, which autograd refuses to differentiate
                        // again ("modified by an inplace operation", an abort in the worker). The next metric
                        // that needs one builds it anew; a finished quadrature's numbers stay valid.
                        hessian?.Dispose();
                        hessian = null;
                        break;
                    case "hessian-top" or "hessian-trace" when spec.HessianOrDefault is { Method: "lanczos" } lanczos:
                        // Both from one set of Lanczos runs: whichever is measured first pays for them, the other costs nothing more.
                        hessian ??= new HessianOperator(loss, parameters);
                        bool first = quadrature is null;
                        quadrature ??= HessianSpectrum.Quadrature(hessian, generator, lanczos.LanczosSteps, lanczos.Vectors, lanczos.TraceVectors);
                        records.Add(metric == "hessian-top"
                            ? new FlatnessRecord(epoch, metric, quadrature.Top, first ? clock.Elapsed.TotalSeconds : 0, quadrature.Products)
                            : new FlatnessRecord(epoch, metric, quadrature.Trace, first ? clock.Elapsed.TotalSeconds : 0, quadrature.Products,
                                double.IsFinite(quadrature.TraceStandardError) ? quadrature.TraceStandardError : null));
                        break;
                    case "noise-scale":
                        var noise = spec.NoiseScaleOrDefault;
                        var (x, y) = training ?? (probeX, probeY);
                        var scale = NoiseScale.Measure(
                            indices =>
                            {
                                var i = indices.to(x.device);
                                var batchLoss = nn.functional.cross_entropy(model.forward(x.index_select(0, i)), y.index_select(0, i));
                                return autograd.grad([batchLoss], parameters).ToList();
                            },
                            x.shape[0], noise.SmallBatch, noise.LargeBatch, noise.Pairs, generator);
                        records.Add(new FlatnessRecord(epoch, metric, scale.Value, clock.Elapsed.TotalSeconds, noise.Pairs,
                            double.IsFinite(scale.StandardError) ? scale.StandardError : null));
                        break;
                    case "hessian-top" or "hessian-trace":
                        // One graph for both: building ∇L with create_graph is the expensive part.
                        hessian ??= new HessianOperator(loss, parameters);
                        var estimate = metric == "hessian-top"
                            ? HessianSpectrum.TopEigenvalue(hessian, generator)
                            : HessianSpectrum.Trace(hessian, generator);
                        records.Add(new FlatnessRecord(epoch, metric, estimate.Value, clock.Elapsed.TotalSeconds, estimate.Iterations));
                        break;
                    case "relative-flatness" when model is IClassifierNetwork network:
                        using (no_grad())
                        {
                            var (logits, features) = network.ForwardWithFeatures(probeX);
                            var p = nn.functional.softmax(logits, 1);
                            double kappa = RelativeFlatness.Kappa(network.ClassifierWeight, features, p).item<float>();
                            double trace = RelativeFlatness.ClassifierTrace(features, p).item<float>();
                            double seconds = clock.Elapsed.TotalSeconds;
                            records.Add(new FlatnessRecord(epoch, "relative-flatness", kappa, seconds, 1));
                            // The plain trace of the same block, for comparison (it is not reparametrization-invariant).
                            records.Add(new FlatnessRecord(epoch, "classifier-trace", trace, seconds, 1));
                        }

                        break;
                }
            }
        }
        finally
        {
            spectrum = quadrature is null ? null : new SpectrumRecord(epoch,
                quadrature.Runs.SelectMany((run, r) => run.Select(node => new SpectrumNode(r, node.Value, node.Weight))).ToList());
            hessian?.Dispose();
            model.zero_grad();
            if (wasTraining) model.train();
        }

        return records;
    }

    /// <summary>
    /// The Hessian of the probe's loss with the model in eval mode, where the suite measures it; the
    /// model stays in eval mode (for benchmarks comparing estimators on one operator).
    /// </summary>
    public static HessianOperator ProbeHessian(nn.Module<Tensor, Tensor> model, Tensor probeX, Tensor probeY)
    {
        model.eval();
        return new HessianOperator(ProbeLoss(model, probeX, probeY), Parameters(model));
    }

    private static Func<Tensor> ProbeLoss(nn.Module<Tensor, Tensor> model, Tensor probeX, Tensor probeY) =>
        () => nn.functional.cross_entropy(model.forward(probeX), probeY);

    private static Tensor[] Parameters(nn.Module<Tensor, Tensor> model) => model.parameters().Select(p => (Tensor)p).ToArray();
}
