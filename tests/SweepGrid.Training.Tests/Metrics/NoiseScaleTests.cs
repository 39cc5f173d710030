using SweepGrid.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests.Metrics;

/// <summary>
/// The gradient noise scale against a case whose per-example gradients, and so G and Σ, are known in
/// closed form: least squares ½(w·x_i − y_i)², g_i = (w·x_i − y_i)·x_i.
/// </summary>
public sealed class NoiseScaleTests
{
    [Fact]
    public void Squared_norms_equal_to_their_expectations_give_exactly_tr_sigma_over_g_squared()
    {
        // E|G_B|² = |G|² + tr(Σ)/B for batches drawn with replacement.
        const double g2 = 2.5, trace = 40;
        var pairs = Enumerable.Repeat((g2 + trace / 16, g2 + trace / 256), 3).ToList();

        var estimate = NoiseScale.FromNorms(16, 256, pairs);

        Assert.Equal(16.0, estimate.Value, 12);
        Assert.Equal(g2, estimate.GradientSquared, 12);
        Assert.Equal(trace, estimate.TraceCovariance, 12);
        Assert.Equal(0, estimate.StandardError, 12);
        Assert.Throws<ArgumentException>(() => NoiseScale.FromNorms(64, 64, pairs));
    }

    [Fact]
    public void On_least_squares_the_estimate_is_within_its_standard_error_of_the_exact_value()
    {
        using var generator = new Generator(17);
        const int n = 400;
        var x = randn([n, 3], dtype: float64, generator: generator);
        var y = x.mv(tensor(new[] { 1.0, -2.0, 0.5 })) + randn([n], dtype: float64, generator: generator) * 0.8;
        var w = tensor(new[] { 0.3, -1.2, 0.9 }).requires_grad_(true);

        // Exact: per-example gradients, their mean G and population covariance Σ.
        double exact;
        using (no_grad())
        {
            var perExample = (x.mv(w) - y).unsqueeze(1) * x;
            var mean = perExample.mean([0]);
            double g2 = mean.pow(2).sum().item<double>();
            double trace = (perExample - mean).pow(2).sum(1).mean().item<double>();
            exact = trace / g2;
        }

        var estimate = NoiseScale.Measure(indices =>
        {
            var loss = 0.5 * (x.index_select(0, indices).mv(w) - y.index_select(0, indices)).pow(2).mean();
            return autograd.grad([loss], [w]).ToList();
        }, n, smallBatch: 4, bigBatch: 64, pairs: 2000, new Generator(18));

        Assert.InRange(exact, 2, 200); // a case where the noise matters, not a degenerate one
        Assert.InRange(estimate.Value, exact - 3 * estimate.StandardError, exact + 3 * estimate.StandardError);
        Assert.InRange(estimate.StandardError, 1e-3 * exact, 0.2 * exact);
        Assert.Equal(2000, estimate.Pairs);
    }
}
