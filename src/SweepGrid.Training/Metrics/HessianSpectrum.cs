using SweepGrid.Core.Numerics;
using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// The Hessian's spectrum from Hessian-vector products: by stochastic Lanczos quadrature (one run per
/// start vector gives the top eigenvalues, the trace and the density from the same products), or
/// the top eigenvalue by power iteration and the trace by Hutchinson's estimator, separately, with
/// PyHessian's stopping rule (Yao et al. 2020): stop when the relative change of the estimate falls
/// below <see cref="Tolerance"/>, or after <see cref="MaxIterations"/>.
/// </summary>
public static class HessianSpectrum
{
    public const double Tolerance = 1e-3;
    public const int MaxIterations = 100;

    public sealed record Estimate(double Value, int Iterations);

    /// <summary>Largest eigenvalue (by magnitude) from a seeded random start.</summary>
    /// <param name="tolerance">0: run all <paramref name="maxIterations"/> (a reference value for benchmarks).</param>
    public static Estimate TopEigenvalue(HessianOperator hessian, Generator generator, int maxIterations = MaxIterations, double tolerance = Tolerance)
    {
        var v = Normalize(hessian.Parameters.Select(p => randn(p.shape, dtype: p.dtype, generator: generator, device: CPU).to(p.device)).ToArray());
        double eigenvalue = double.NaN;
        for (int i = 1; i <= maxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var hv = hessian.Apply(v);
            double next = HessianOperator.Dot(v, hv);
            var normalized = Normalize(hv);
            foreach (var t in normalized) t.MoveToOuterDisposeScope();
            v = normalized;
            if (i > 1 && Math.Abs(next - eigenvalue) < tolerance * (Math.Abs(eigenvalue) + 1e-12)) return new Estimate(next, i);
            eigenvalue = next;
        }

        return new Estimate(eigenvalue, maxIterations);
    }

    /// <summary>Tr(H) ≈ mean of vᵀHv over Rademacher vectors v (Hutchinson 1989).</summary>
    public static Estimate Trace(HessianOperator hessian, Generator generator)
    {
        double sum = 0, mean = double.NaN;
        for (int i = 1; i <= MaxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var v = hessian.Parameters
                .Select(p => randint(0, 2, p.shape, generator: generator, device: CPU).to_type(p.dtype).Times(2).Minus(1).to(p.device))
                .ToArray();
            sum += HessianOperator.Dot(v, hessian.Apply(v));
            double next = sum / i;
            if (i > 1 && Math.Abs(next - mean) < Tolerance * (Math.Abs(mean) + 1e-12)) return new Estimate(next, i);
            mean = next;
        }

        return new Estimate(mean, MaxIterations);
    }

    /// <summary>
    /// <paramref name="vectors"/> Lanczos runs of <paramref name="steps"/> products each, from seeded
    /// Rademacher start vectors (as PyHessian's density does), over the parameters flattened into one
    /// vector; then more Rademacher vectors, one product each, until <paramref name="traceVectors"/>
    /// start vectors have sampled vᵀHv for the trace.
    /// </summary>
    public static SpectralQuadrature Quadrature(HessianOperator hessian, Generator generator, int steps, int vectors, int traceVectors = 0)
    {
        var shapes = hessian.Parameters.Select(p => p.shape).ToArray();
        var sizes = hessian.Parameters.Select(p => p.numel()).ToArray();
        long n = sizes.Sum();
        var first = hessian.Parameters[0];
        Tensor Apply(Tensor flat)
        {
            var parts = flat.split(sizes).Select((t, i) => t.view(shapes[i])).ToArray();
            return cat(hessian.Apply(parts).Select(t => t.reshape(-1)).ToArray());
        }

        Tensor Rademacher() => randint(0, 2, [n], generator: generator, device: CPU).to_type(first.dtype).Times(2).Minus(1).to(first.device);

        var runs = new List<IReadOnlyList<(double, double)>>();
        var forms = new List<double>();
        int products = 0;
        for (int r = 0; r < Math.Max(vectors, traceVectors); r++)
        {
            using var scope = NewDisposeScope();
            var run = Lanczos.Iterate(Apply, Rademacher(), r < vectors ? steps : 1);
            products += run.Alpha.Count;
            forms.Add(run.Alpha[0]);
            if (r < vectors) runs.Add(run.Nodes);
        }

        return new SpectralQuadrature(runs, forms, n, products);
    }

    private static Tensor[] Normalize(Tensor[] v)
    {
        double norm = HessianOperator.Norm(v) + 1e-12;
        return v.Select(t => t.Over(norm)).ToArray();
    }
}
