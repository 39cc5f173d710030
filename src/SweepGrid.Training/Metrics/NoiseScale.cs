using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// The simple gradient noise scale B_simple = tr(Σ) / |G|² (McCandlish, Kaplan, Amodei et al. 2018,
/// "An Empirical Model of Large-Batch Training"), with G the full-data gradient and Σ the per-example
/// gradient covariance; the critical batch size is close to it. Estimated as in their Appendix A from
/// squared gradient norms of batches of two sizes B_small &lt; B_big, drawn with replacement, for
/// which E|G_B|² = |G|² + tr(Σ)/B exactly:
///   |G|² ≈ (B_big·|G_big|² − B_small·|G_small|²) / (B_big − B_small),
///   tr(Σ) ≈ (|G_small|² − |G_big|²) / (1/B_small − 1/B_big),
/// each averaged over the batch pairs before dividing (the ratio of averages is the less biased).
/// </summary>
public static class NoiseScale
{
    /// <param name="Value">B_simple.</param>
    /// <param name="StandardError">Jackknife standard error over the batch pairs; NaN with one pair.</param>
    public sealed record Estimate(double Value, double StandardError, double GradientSquared, double TraceCovariance, int Pairs);

    /// <summary>The estimate from each pair's squared norms (|G_small|², |G_big|²). Pure.</summary>
    public static Estimate FromNorms(int smallBatch, int bigBatch, IReadOnlyList<(double Small, double Big)> squaredNorms)
    {
        if (smallBatch <= 0 || bigBatch <= smallBatch) throw new ArgumentException($"batch sizes must be 0 < small < big, got {smallBatch} and {bigBatch}");
        if (squaredNorms.Count == 0) throw new ArgumentException("at least one pair of batches", nameof(squaredNorms));
        var g2 = squaredNorms.Select(p => (bigBatch * p.Big - smallBatch * p.Small) / (bigBatch - smallBatch)).ToArray();
        var trace = squaredNorms.Select(p => (p.Small - p.Big) / (1.0 / smallBatch - 1.0 / bigBatch)).ToArray();
        double value = trace.Average() / g2.Average();
        return new Estimate(value, Jackknife(g2, trace), g2.Average(), trace.Average(), squaredNorms.Count);
    }

    /// <summary>
    /// <paramref name="pairs"/> pairs of batches drawn with replacement from <paramref name="samples"/>
    /// samples; <paramref name="gradient"/> gives the gradient of the mean loss over the samples at the
    /// given indices.
    /// </summary>
    public static Estimate Measure(Func<Tensor, IReadOnlyList<Tensor>> gradient, long samples, int smallBatch, int bigBatch, int pairs, Generator generator)
    {
        var norms = new List<(double, double)>(pairs);
        for (int k = 0; k < pairs; k++)
        {
            using var scope = NewDisposeScope();
            double small = SquaredNorm(gradient(randint(0, samples, [smallBatch], generator: generator, device: CPU)));
            double big = SquaredNorm(gradient(randint(0, samples, [bigBatch], generator: generator, device: CPU)));
            norms.Add((small, big));
        }

        return FromNorms(smallBatch, bigBatch, norms);
    }

    private static double SquaredNorm(IReadOnlyList<Tensor> gradient) => gradient.Sum(g => g.to_type(float64).Squared().sum().item<double>());

    /// <summary>Leave-one-pair-out standard error of mean(trace) / mean(g2).</summary>
    private static double Jackknife(double[] g2, double[] trace)
    {
        int k = g2.Length;
        if (k < 2) return double.NaN;
        double g2Sum = g2.Sum(), traceSum = trace.Sum();
        var leaveOut = Enumerable.Range(0, k).Select(i => (traceSum - trace[i]) / (g2Sum - g2[i])).ToArray();
        double mean = leaveOut.Average();
        return Math.Sqrt((k - 1.0) / k * leaveOut.Sum(v => (v - mean) * (v - mean)));
    }
}
