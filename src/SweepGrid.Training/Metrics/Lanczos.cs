using SweepGrid.Core.Numerics;
using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// The Lanczos iteration on a symmetric operator given as a product with flat vectors (Lanczos 1950;
/// Golub and Van Loan, Matrix Computations, §10.1): m products from a unit start vector give the
/// tridiagonal T_m (α_j = v_jᵀAv_j, β_j = ‖w_j‖). Every new vector is reorthogonalised against all
/// earlier ones, twice ("twice is enough", Parlett), as PyHessian does, so that rounding does not
/// bring back converged eigenvalues as ghost copies; that keeps m vectors in memory. Dot products
/// are taken in float64.
/// </summary>
public static class Lanczos
{
    /// <summary>A run: the diagonal α_1..α_k and the β_1..β_{k−1} beside it (k ≤ steps: fewer when an invariant subspace is found).</summary>
    public sealed record Run(IReadOnlyList<double> Alpha, IReadOnlyList<double> Beta)
    {
        public IReadOnlyList<(double Value, double Weight)> Nodes => SpectralQuadrature.Nodes(Alpha, Beta);
    }

    /// <param name="apply">A·x for a flat vector x (the same length and dtype as <paramref name="start"/>).</param>
    /// <param name="start">The start vector (normalised here).</param>
    public static Run Iterate(Func<Tensor, Tensor> apply, Tensor start, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least one step");
        var alpha = new List<double>();
        var beta = new List<double>();
        // The Lanczos vectors as rows, allocated once: reorthogonalising is then two matrix-vector products.
        using var basis = zeros([steps, start.shape[0]], dtype: start.dtype, device: start.device);
        // No no_grad here: the products differentiate through the model (the vectors themselves carry no graph).
        using (NewDisposeScope()) basis[0].copy_(start.Over(Norm(start)));
        for (int j = 0; j < steps; j++)
        {
            using var scope = NewDisposeScope();
            var v = basis[j];
            var w = apply(v);
            double a = Dot(w, v);
            alpha.Add(a);
            if (j == steps - 1) break;
            w = w - v.Times(a);
            if (j > 0) w = w - basis[j - 1].Times(beta[j - 1]);
            var earlier = basis.narrow(0, 0, j + 1);
            for (int pass = 0; pass < 2; pass++) w = w - earlier.t().mv(earlier.mv(w));
            double b = Norm(w);
            // An invariant subspace: T_j is exact, nothing more to find from this start.
            if (b <= 1e-10 * Math.Max(1, Math.Abs(a))) break;
            beta.Add(b);
            basis[j + 1].copy_(w.Over(b));
        }

        return new Run(alpha, beta.Take(alpha.Count - 1).ToList());
    }

    private static double Dot(Tensor a, Tensor b) => a.to_type(float64).dot(b.to_type(float64)).item<double>();

    private static double Norm(Tensor a) => Math.Sqrt(Dot(a, a));
}
