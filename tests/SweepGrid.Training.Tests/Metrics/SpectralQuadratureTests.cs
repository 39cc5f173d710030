using SweepGrid.Core.Numerics;
using SweepGrid.Training.Metrics;
using SweepGrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests.Metrics;

/// <summary>
/// Stochastic Lanczos quadrature against answers known in closed form: the tridiagonal solver on the
/// second-difference matrix, Lanczos on matrices with chosen spectra, and the whole estimate on a
/// network small enough to build its Hessian explicitly.
/// </summary>
public sealed class SpectralQuadratureTests
{
    [Fact]
    public void The_tridiagonal_solver_finds_the_second_difference_matrix_spectrum_and_eigenvectors()
    {
        // tridiag(−1, 2, −1) of size n: λ_k = 2 − 2cos(kπ/(n+1)), eigenvector_k(j) ∝ sin(jkπ/(n+1)).
        const int n = 12;
        var (values, first) = SymmetricTridiagonal.Eigen(Enumerable.Repeat(2.0, n).ToArray(), Enumerable.Repeat(-1.0, n - 1).ToArray());

        for (int k = 1; k <= n; k++)
        {
            Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (n + 1)), values[k - 1], 12);
            double norm = Math.Sqrt(Enumerable.Range(1, n).Sum(j => Math.Pow(Math.Sin(j * k * Math.PI / (n + 1)), 2)));
            Assert.Equal(Math.Pow(Math.Sin(k * Math.PI / (n + 1)) / norm, 2), first[k - 1] * first[k - 1], 12);
        }
    }

    [Fact]
    public void A_single_entry_and_a_diagonal_matrix_are_their_own_spectra()
    {
        var (values, first) = SymmetricTridiagonal.Eigen([3.5], []);
        Assert.Equal([3.5], values);
        Assert.Equal([1.0], first);
        Assert.Equal([-1.0, 2.0, 4.0], SymmetricTridiagonal.Eigen([4.0, -1.0, 2.0], [0.0, 0.0]).Values);
        Assert.Throws<ArgumentException>(() => SymmetricTridiagonal.Eigen([1.0, 2.0], []));
    }

    /// <summary>Q diag(λ) Qᵀ with a seeded random rotation Q.</summary>
    private static Tensor WithSpectrum(double[] eigenvalues, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var (q, _) = linalg.qr(randn([eigenvalues.Length, eigenvalues.Length], dtype: float64, generator: generator));
        return q.matmul(diag(tensor(eigenvalues))).matmul(q.t());
    }

    [Fact]
    public void Lanczos_run_to_the_full_dimension_recovers_every_eigenvalue_and_its_weights_sum_to_one()
    {
        double[] spectrum = [-3, -0.5, 0.25, 1, 2, 7.5, 40];
        var a = WithSpectrum(spectrum, 3);
        using var generator = new Generator(4);

        var run = Lanczos.Iterate(x => a.mv(x), randn([7], dtype: float64, generator: generator), steps: 7);

        Assert.Equal(spectrum, run.Nodes.Select(n => Math.Round(n.Value, 9)));
        Assert.Equal(1.0, run.Nodes.Sum(n => n.Weight), 12);
    }

    [Fact]
    public void A_few_steps_find_the_top_of_a_large_spectrum_and_vectors_estimate_its_trace()
    {
        // 400 eigenvalues: a bulk in [0, 1] and three outliers, as a trained network's Hessian looks.
        var spectrum = Enumerable.Range(0, 397).Select(i => i / 396.0).Concat([12.0, 25.0, 60.0]).ToArray();
        var a = WithSpectrum(spectrum, 8);
        using var generator = new Generator(9);
        var runs = Enumerable.Range(0, 20)
            .Select(_ => Lanczos.Iterate(x => a.mv(x), (randint(0, 2, [400], generator: generator).to_type(float64) * 2 - 1), steps: 20).Nodes)
            .ToList();
        var quadrature = SpectralQuadrature.FromRuns(runs, 400, 20 * 20);

        Assert.Equal(60.0, quadrature.Top, 9);
        Assert.Equal([60.0, 25.0, 12.0], quadrature.TopK(3).Select(v => Math.Round(v, 6)));
        double trace = spectrum.Sum();
        Assert.InRange(quadrature.Trace, trace - 3 * quadrature.TraceStandardError, trace + 3 * quadrature.TraceStandardError);
        Assert.InRange(quadrature.TraceStandardError, 0.1, 0.2 * trace); // an honest, non-zero error
    }

    [Fact]
    public void The_density_integrates_to_one_and_puts_the_outliers_mass_where_they_are()
    {
        var spectrum = Enumerable.Range(0, 97).Select(i => i / 96.0).Concat([20.0, 30.0, 40.0]).ToArray();
        var a = WithSpectrum(spectrum, 12);
        using var generator = new Generator(13);
        var runs = Enumerable.Range(0, 8)
            .Select(_ => Lanczos.Iterate(x => a.mv(x), randn([100], dtype: float64, generator: generator), steps: 30).Nodes)
            .ToList();

        var density = SpectralQuadrature.FromRuns(runs, 100, 240).Density(points: 2000);

        double step = density[1].Eigenvalue - density[0].Eigenvalue;
        Assert.Equal(1.0, density.Sum(p => p.Density) * step, 2);
        // 97 of 100 eigenvalues lie in [0, 1]: about 97 % of the mass; the three outliers about 1 % each.
        double Mass(double from, double to) => density.Where(p => p.Eigenvalue >= from && p.Eigenvalue <= to).Sum(p => p.Density) * step;
        Assert.InRange(Mass(-1, 2), 0.9, 1.0);
        Assert.InRange(Mass(38, 42), 0.002, 0.05);
    }

    [Fact]
    public void Extra_start_vectors_sample_the_trace_at_one_product_each_and_leave_the_density_to_the_full_runs()
    {
        // f(x) = ½ xᵀAx: its Hessian is A.
        var spectrum = Enumerable.Range(0, 60).Select(i => 0.1 * i).Concat([30.0]).ToArray();
        var a = WithSpectrum(spectrum, 21);
        var x = zeros(61, dtype: float64).requires_grad_(true);
        using var hessian = new HessianOperator(() => 0.5 * x.dot(a.mv(x)), [x]);

        var quadrature = HessianSpectrum.Quadrature(hessian, new Generator(22), steps: 10, vectors: 1, traceVectors: 300);

        Assert.Equal((1, 300, 10 + 299), (quadrature.Runs.Count, quadrature.QuadraticForms.Count, quadrature.Products));
        Assert.Equal(30.0, quadrature.Top, 9);
        double trace = spectrum.Sum();
        Assert.InRange(quadrature.Trace, trace - 3 * quadrature.TraceStandardError, trace + 3 * quadrature.TraceStandardError);
        Assert.InRange(quadrature.TraceStandardError, 0.1, 0.1 * trace);
    }

    [Fact]
    public void On_a_small_network_the_estimates_match_its_explicit_hessian()
    {
        random.manual_seed(5);
        using var model = new Mlp(4, [6], 3, batchNorm: false, ghostBatchSize: 0);
        model.to(float64);
        using var generator = new Generator(7);
        var x = randn([40, 4], dtype: float64, generator: generator);
        var y = randint(0, 3, [40], generator: generator);
        var parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        Func<Tensor> loss = () => nn.functional.cross_entropy(model.forward(x), y);
        using var hessian = new HessianOperator(loss, parameters);

        // The explicit Hessian: H·e_i for every coordinate (51 parameters).
        long n = parameters.Sum(p => p.numel());
        var columns = new List<Tensor>();
        var identity = eye(n, dtype: float64);
        for (long i = 0; i < n; i++)
        {
            var e = identity[i];
            var parts = e.split(parameters.Select(p => p.numel()).ToArray()).Select((t, k) => t.view(parameters[k].shape)).ToArray();
            columns.Add(cat(hessian.Apply(parts).Select(t => t.reshape(-1)).ToArray()));
        }

        var explicitHessian = stack(columns, 1);
        var eigenvalues = linalg.eigvalsh((explicitHessian + explicitHessian.t()) / 2).data<double>().ToArray();

        var quadrature = HessianSpectrum.Quadrature(hessian, new Generator(8), steps: (int)n, vectors: 6);

        Assert.Equal(eigenvalues.Max(), quadrature.Top, 6);
        Assert.Equal(eigenvalues.OrderDescending().Take(3).ToArray(), quadrature.TopK(3).ToArray(), new ToleranceComparer(1e-6));
        double trace = eigenvalues.Sum();
        Assert.InRange(quadrature.Trace, trace - 3 * quadrature.TraceStandardError, trace + 3 * quadrature.TraceStandardError);
        // A run stops early where its Krylov space is exhausted (repeated eigenvalues: the softmax's flat directions).
        Assert.InRange(quadrature.Products, 6 * 3, 6 * (int)n);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));

        public int GetHashCode(double value) => 0;
    }
}
