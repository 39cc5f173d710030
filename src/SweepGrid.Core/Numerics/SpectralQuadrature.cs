namespace SweepGrid.Core.Numerics;

/// <summary>
/// Stochastic Lanczos quadrature of a symmetric operator's spectrum (Ghorbani, Krishnan and Xiao
/// 2019, "An Investigation into Neural Net Optimization via Hessian Eigenvalue Density"; Yao et al.
/// 2020, PyHessian): each random unit start vector v gives, after m Lanczos steps, nodes θ_i (the
/// Ritz values) with weights τ_i² (squared first components of T_m's eigenvectors) summing to 1, a
/// Gauss quadrature of the spectral measure seen from v. Averaged over vectors, the nodes estimate
/// the eigenvalue density; the extreme nodes converge to the extreme eigenvalues; and since
/// Σ τ_i² θ_i = vᵀHv exactly, n times its mean over vectors is Hutchinson's estimate of the trace
/// (E[vᵀHv] = tr(H)/n for a unit v uniform in direction or a normalised Rademacher vector). A
/// run's trace sample costs its m products, so more samples for the trace come cheaper from extra
/// start vectors that take one product each (Hutchinson 1989). Pure.
/// </summary>
/// <param name="Runs">Per Lanczos run, its nodes (θ_i, τ_i²).</param>
/// <param name="QuadraticForms">vᵀHv of every unit start vector: the Lanczos runs' (Σ τ_i² θ_i = α_1) and any
/// extra vectors' taken for the trace alone (Hutchinson samples costing one product each).</param>
/// <param name="Dimension">n, the operator's size (the number of parameters).</param>
/// <param name="Products">Operator applications (Hessian-vector products) it took.</param>
public sealed record SpectralQuadrature(
    IReadOnlyList<IReadOnlyList<(double Value, double Weight)>> Runs, IReadOnlyList<double> QuadraticForms, long Dimension, int Products)
{
    /// <summary>From Lanczos runs alone: each run's start vector is one trace sample.</summary>
    public static SpectralQuadrature FromRuns(IReadOnlyList<IReadOnlyList<(double Value, double Weight)>> runs, long dimension, int products) =>
        new(runs, runs.Select(r => r.Sum(node => node.Weight * node.Value)).ToList(), dimension, products);

    /// <summary>The largest Ritz value of any run.</summary>
    public double Top => Runs.SelectMany(r => r).Max(node => node.Value);

    /// <summary>The k largest Ritz values of the longest run, largest first (Lanczos finds the extreme eigenvalues first).</summary>
    public IReadOnlyList<double> TopK(int k) =>
        Runs.MaxBy(r => r.Count)!.Select(node => node.Value).OrderDescending().Take(k).ToList();

    /// <summary>n · the mean of vᵀHv over the start vectors.</summary>
    public double Trace => Dimension * QuadraticForms.Average();

    /// <summary>The standard error of <see cref="Trace"/> over the start vectors; NaN with one.</summary>
    public double TraceStandardError
    {
        get
        {
            if (QuadraticForms.Count < 2) return double.NaN;
            double mean = QuadraticForms.Average();
            double variance = QuadraticForms.Sum(s => (s - mean) * (s - mean)) / (QuadraticForms.Count - 1);
            return Dimension * Math.Sqrt(variance / QuadraticForms.Count);
        }
    }

    /// <summary>
    /// The density as a Gaussian-broadened curve on <paramref name="points"/> points spanning the nodes
    /// (with a margin of 2σ): φ(t) = mean over runs of Σ τ_i² N(t; θ_i, σ²), a probability density
    /// (it integrates to 1). σ defaults to 1% of the nodes' span: PyHessian's density_generate uses a
    /// variance of 1e-5 · max(1, span), far narrower, which over a few dozen nodes draws spikes.
    /// </summary>
    public IReadOnlyList<(double Eigenvalue, double Density)> Density(int points = 200, double? sigma = null) => DensityOf(Runs, points, sigma);

    /// <summary><see cref="Density"/> of stored runs (each run's nodes: Ritz values with weights summing to 1).</summary>
    public static IReadOnlyList<(double Eigenvalue, double Density)> DensityOf(
        IReadOnlyList<IReadOnlyList<(double Value, double Weight)>> runs, int points = 200, double? sigma = null)
    {
        var nodes = runs.SelectMany(r => r).ToList();
        double low = nodes.Min(n => n.Value), high = nodes.Max(n => n.Value);
        // One distinct node (a run stopped at once): 1 % of its magnitude, or of 1.
        double width = sigma ?? 0.01 * (high > low ? high - low : Math.Max(1, Math.Abs(high)));
        low -= 2 * width;
        high += 2 * width;
        double step = (high - low) / (points - 1);
        double norm = 1 / (width * Math.Sqrt(2 * Math.PI) * runs.Count);
        return Enumerable.Range(0, points).Select(i =>
        {
            double t = low + i * step;
            double density = nodes.Sum(n => n.Weight * Math.Exp(-0.5 * Math.Pow((t - n.Value) / width, 2))) * norm;
            return (t, density);
        }).ToList();
    }

    /// <summary>The nodes of one Lanczos run from its tridiagonal T_m (α on the diagonal, β beside it).</summary>
    public static IReadOnlyList<(double Value, double Weight)> Nodes(IReadOnlyList<double> alpha, IReadOnlyList<double> beta)
    {
        var (values, first) = SymmetricTridiagonal.Eigen(alpha, beta);
        return values.Select((v, i) => (v, first[i] * first[i])).ToList();
    }
}
