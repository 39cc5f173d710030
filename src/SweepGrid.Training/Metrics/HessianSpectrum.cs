using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// The top Hessian eigenvalue by power iteration and the trace by Hutchinson's estimator, both on
/// Hessian-vector products, with PyHessian's stopping rule (Yao et al. 2020): stop when the relative
/// change of the estimate falls below <see cref="Tolerance"/>, or after <see cref="MaxIterations"/>.
/// </summary>
public static class HessianSpectrum
{
    public const double Tolerance = 1e-3;
    public const int MaxIterations = 100;

    public sealed record Estimate(double Value, int Iterations);

    /// <summary>Largest eigenvalue (by magnitude) from a seeded random start.</summary>
    public static Estimate TopEigenvalue(HessianOperator hessian, Generator generator)
    {
        var v = Normalize(hessian.Parameters.Select(p => randn(p.shape, dtype: p.dtype, generator: generator, device: CPU).to(p.device)).ToArray());
        double eigenvalue = double.NaN;
        for (int i = 1; i <= MaxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var hv = hessian.Apply(v);
            double next = HessianOperator.Dot(v, hv);
            var normalized = Normalize(hv);
            foreach (var t in normalized) t.MoveToOuterDisposeScope();
            v = normalized;
            if (i > 1 && Math.Abs(next - eigenvalue) < Tolerance * (Math.Abs(eigenvalue) + 1e-12)) return new Estimate(next, i);
            eigenvalue = next;
        }

        return new Estimate(eigenvalue, MaxIterations);
    }

    /// <summary>Tr(H) ≈ mean of vᵀHv over Rademacher vectors v (Hutchinson 1989).</summary>
    public static Estimate Trace(HessianOperator hessian, Generator generator)
    {
        double sum = 0, mean = double.NaN;
        for (int i = 1; i <= MaxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var v = hessian.Parameters
                .Select(p => (randint(0, 2, p.shape, generator: generator, device: CPU).to_type(p.dtype) * 2 - 1).to(p.device))
                .ToArray();
            sum += HessianOperator.Dot(v, hessian.Apply(v));
            double next = sum / i;
            if (i > 1 && Math.Abs(next - mean) < Tolerance * (Math.Abs(mean) + 1e-12)) return new Estimate(next, i);
            mean = next;
        }

        return new Estimate(mean, MaxIterations);
    }

    private static Tensor[] Normalize(Tensor[] v)
    {
        double norm = HessianOperator.Norm(v) + 1e-12;
        return v.Select(t => t / norm).ToArray();
    }
}
