using SweepGrid.Training.Metrics;
using SweepGrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

public sealed class FlatnessMetricTests
{
    /// <summary>f(x) = ½ xᵀ A x, whose Hessian is A.</summary>
    private static (Tensor X, Func<Tensor> Loss) Quadratic(Tensor a)
    {
        var x = (randn(a.shape[0], dtype: float64, generator: new Generator(3)) * 0.1).requires_grad_(true);
        return (x, () => 0.5 * x.dot(a.matmul(x)));
    }

    [Fact]
    public void On_a_quadratic_the_top_eigenvalue_and_trace_are_those_of_A()
    {
        // A = Q diag(5, 2, 1, 0.5) Qᵀ with a random rotation Q.
        using var generator = new Generator(11);
        var (q, _) = linalg.qr(randn([4, 4], dtype: float64, generator: generator));
        var a = q.matmul(diag(tensor(new[] { 5.0, 2.0, 1.0, 0.5 }))).matmul(q.t());
        var (x, loss) = Quadratic(a);
        using var hessian = new HessianOperator(loss, [x]);

        var top = HessianSpectrum.TopEigenvalue(hessian, new Generator(1));
        var column = hessian.Apply([eye(4, dtype: float64)[0]])[0];

        Assert.Equal(5.0, top.Value, 2);
        Assert.True(column.allclose(a[.., 0], rtol: 1e-10, atol: 1e-12), "H·e1 is A's first column");
    }

    [Fact]
    public void One_operator_serves_several_estimates_inside_the_callers_dispose_scopes()
    {
        var (x, loss) = Quadratic(diag(tensor(new[] { 4.0, 1.0, 2.0 })));
        HessianOperator? hessian = null;
        var values = new List<double>();
        foreach (var metric in new[] { "top", "trace" })
        {
            using var scope = NewDisposeScope();
            hessian ??= new HessianOperator(loss, [x]);
            values.Add(metric == "top" ? HessianSpectrum.TopEigenvalue(hessian, new Generator(1)).Value : HessianSpectrum.Trace(hessian, new Generator(1)).Value);
        }

        hessian!.Dispose();
        Assert.Equal(4.0, values[0], 2);
        Assert.Equal(7.0, values[1], 9);
    }

    [Fact]
    public void Hutchinson_is_exact_for_a_diagonal_hessian_and_close_for_a_dense_one()
    {
        var (x, diagonal) = Quadratic(diag(tensor(new[] { 3.0, 1.0, 0.25, 2.0 })));
        using (var hessian = new HessianOperator(diagonal, [x]))
        {
            Assert.Equal(6.25, HessianSpectrum.Trace(hessian, new Generator(2)).Value, 9);
        }

        using var generator = new Generator(5);
        var m = randn([6, 6], dtype: float64, generator: generator);
        var dense = m.matmul(m.t()) + eye(6, dtype: float64) * 2;
        var (y, loss) = Quadratic(dense);
        using var denseHessian = new HessianOperator(loss, [y]);
        double expected = dense.trace().item<double>();

        Assert.InRange(HessianSpectrum.Trace(denseHessian, new Generator(2)).Value, expected * 0.85, expected * 1.15);
    }

    [Fact]
    public void Hessian_vector_products_match_finite_differences_of_gradients()
    {
        random.manual_seed(4);
        using var model = new Mlp(5, [7], 3, batchNorm: false, ghostBatchSize: 0);
        model.to(float64);
        using var generator = new Generator(6);
        var x = randn([20, 5], dtype: float64, generator: generator);
        var y = randint(0, 3, [20], generator: generator);
        var parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        Func<Tensor> loss = () => nn.functional.cross_entropy(model.forward(x), y);
        var v = parameters.Select(p => randn(p.shape, dtype: float64, generator: generator)).ToArray();

        Tensor[] hv;
        using (var hessian = new HessianOperator(loss, parameters)) hv = hessian.Apply(v);

        const double h = 1e-5;
        Tensor[] GradientAt(double scale)
        {
            using (no_grad()) foreach (var (p, d) in parameters.Zip(v)) p.add_(d, alpha: scale);
            var g = autograd.grad([loss()], parameters).Select(t => t.detach().clone()).ToArray();
            using (no_grad()) foreach (var (p, d) in parameters.Zip(v)) p.add_(d, alpha: -scale);
            return g;
        }

        var plus = GradientAt(h);
        var minus = GradientAt(-h);
        for (int i = 0; i < parameters.Length; i++)
        {
            var fd = (plus[i] - minus[i]) / (2 * h);
            Assert.True(fd.allclose(hv[i], rtol: 1e-5, atol: 1e-7), $"parameter {i}");
        }
    }

    /// <summary>A non-convex loss of two parameters, so the box maximum is not trivially a corner.</summary>
    private static Func<Tensor> TwoParameterLoss(Tensor w) => () =>
        (w[0].pow(2) - 1).pow(2) + w[0] * w[1] + (w[1] * 3).sin() + 2;

    [Fact]
    public void Sharpness_is_zero_at_epsilon_zero_and_grows_with_epsilon()
    {
        var w = tensor(new[] { 0.7f, -0.4f }).requires_grad_(true);
        var loss = TwoParameterLoss(w);
        double Sharpness(double eps) => EpsilonSharpness.Measure(loss, [w], new EpsilonSharpness.Settings(Epsilon: eps), new Generator(1)).Sharpness;

        Assert.Equal(0, Sharpness(0), 6);
        double small = Sharpness(1e-3), medium = Sharpness(1e-2), large = Sharpness(1e-1);
        Assert.True(0 < small && small < medium && medium < large, $"{small} < {medium} < {large}");
        Assert.Equal([0.7f, -0.4f], w.data<float>().ToArray());
    }

    [Fact]
    public void Sharpness_matches_a_brute_force_maximum_over_the_box()
    {
        var w = tensor(new[] { 0.7f, -0.4f }).requires_grad_(true);
        var loss = TwoParameterLoss(w);
        const double eps = 0.05;

        var measured = EpsilonSharpness.Measure(loss, [w], new EpsilonSharpness.Settings(Epsilon: eps), new Generator(1));

        // Brute force: a 201 × 201 grid over C_ε = { |y_i| ≤ ε(|x_i| + 1) }.
        double f0 = measured.BaseLoss, best = double.NegativeInfinity;
        double b0 = eps * (0.7 + 1), b1 = eps * (0.4 + 1);
        for (int i = 0; i <= 200; i++)
        for (int j = 0; j <= 200; j++)
        {
            double a = 0.7 + b0 * (i / 100.0 - 1), c = -0.4 + b1 * (j / 100.0 - 1);
            best = Math.Max(best, Math.Pow(a * a - 1, 2) + a * c + Math.Sin(3 * c) + 2);
        }

        double bruteSharpness = 100 * (best - f0) / (1 + f0);
        Assert.InRange(measured.Sharpness, 0.95 * bruteSharpness, 1.0001 * bruteSharpness);
    }

    [Fact]
    public void Sharpness_in_a_random_subspace_is_positive_and_below_the_full_space_value()
    {
        random.manual_seed(8);
        using var model = new Mlp(5, [7], 3, batchNorm: false, ghostBatchSize: 0);
        using var generator = new Generator(6);
        var x = randn([32, 5], generator: generator);
        var y = randint(0, 3, [32], generator: generator);
        var parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        Func<Tensor> loss = () => nn.functional.cross_entropy(model.forward(x), y);

        var full = EpsilonSharpness.Measure(loss, parameters, new EpsilonSharpness.Settings(Epsilon: 0.01), new Generator(1));
        var sub = EpsilonSharpness.Measure(loss, parameters, new EpsilonSharpness.Settings(Epsilon: 0.01, SubspaceDimension: 4), new Generator(1));

        Assert.True(sub.Sharpness > 0 && sub.Sharpness < full.Sharpness, $"subspace {sub.Sharpness}, full {full.Sharpness}");
    }

    [Fact]
    public void Relative_flatness_is_invariant_to_layer_rescaling_while_the_plain_trace_is_not()
    {
        random.manual_seed(9);
        using var model = new Mlp(6, [8], 3, batchNorm: true, ghostBatchSize: 0);
        model.eval();
        using var generator = new Generator(2);
        var x = randn([40, 6], generator: generator);
        (double Kappa, double Trace, Tensor Logits) Measure()
        {
            using var noGrad = no_grad();
            var (logits, features) = model.ForwardWithFeatures(x);
            var p = nn.functional.softmax(logits, 1);
            return (RelativeFlatness.Kappa(model.ClassifierWeight, features, p).item<float>(),
                RelativeFlatness.ClassifierTrace(features, p).item<float>(), logits.clone());
        }

        var before = Measure();
        // Scale the classifier by c and the features by 1/c: the last batch norm's affine output by
        // 1/c goes through ReLU (positively homogeneous) unchanged in shape. The network's function is the same.
        const float c = 3;
        var norm = model.modules().OfType<GhostBatchNorm>().Last();
        using (no_grad())
        {
            model.ClassifierWeight.mul_(c);
            foreach (var p in norm.parameters()) p.div_(c);
        }

        var after = Measure();

        Assert.True(after.Logits.allclose(before.Logits, rtol: 1e-4, atol: 1e-5), "same function");
        Assert.Equal(before.Kappa, after.Kappa, 3);
        Assert.Equal(before.Trace / (c * c), after.Trace, 4);
        Assert.True(Math.Abs(after.Trace - before.Trace) > 0.5 * before.Trace);
    }
}
