using SweepGrid.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// ε-sharpness (Keskar et al. 2017, "On Large-Batch Training for Deep Learning", §2.2.1):
///   φ(x, ε) = 100 · (max_{y ∈ C_ε} f(x + y) − f(x)) / (1 + f(x)),
///   C_ε = { y : |y_i| ≤ ε (|x_i| + 1) },
/// f the training loss. In a random p-dimensional subspace y = A z, and the box is
/// |z_i| ≤ ε (|(A⁺x)_i| + 1). The paper maximizes with 10 iterations of L-BFGS-B; we use projected
/// (sign) gradient ascent inside the box, <see cref="Steps"/> steps of a quarter of the box half-width,
/// starting at 0 and keeping the best point seen: a lower bound on the true maximum, as L-BFGS-B's is.
/// </summary>
public static class EpsilonSharpness
{
    public sealed record Settings(double Epsilon = 1e-3, int Steps = 10, double StepFraction = 0.25, int SubspaceDimension = 0);

    public sealed record Result(double Sharpness, double BaseLoss, double MaxLoss);

    /// <summary>Measures at the current parameters, which are restored afterwards.</summary>
    public static Result Measure(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, Settings settings, Generator generator)
    {
        var x = parameters.Select(p => p.detach().clone()).ToArray();
        try
        {
            double baseLoss = Evaluate(loss);
            double best = settings.SubspaceDimension > 0
                ? MaximizeInSubspace(loss, parameters, x, settings, generator)
                : MaximizeInFullSpace(loss, parameters, x, settings);
            best = Math.Max(best, baseLoss);
            return new Result(100 * (best - baseLoss) / (1 + baseLoss), baseLoss, best);
        }
        finally
        {
            using var noGrad = no_grad();
            foreach (var (p, original) in parameters.Zip(x)) p.copy_(original);
            foreach (var t in x) t.Dispose();
        }
    }

    private static double MaximizeInFullSpace(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, Tensor[] x, Settings s)
    {
        var bound = x.Select(t => t.abs().Plus(1).Times(s.Epsilon)).ToArray();
        var y = x.Select(t => zeros_like(t)).ToArray();
        double best = double.NegativeInfinity;
        for (int step = 0; step < s.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradient = GradientAt(loss, parameters, x, y, out double value);
            best = Math.Max(best, value);
            using var noGrad = no_grad();
            for (int i = 0; i < y.Length; i++)
            {
                // Ascent step, then projection back onto the box.
                y[i].PlusInPlace((gradient[i].sign() * bound[i]).Times(s.StepFraction));
                y[i].copy_(torch.maximum(torch.minimum(y[i], bound[i]), -bound[i]));
            }
        }

        best = Math.Max(best, ValueAt(loss, parameters, x, y));
        foreach (var t in bound.Concat(y)) t.Dispose();
        return best;
    }

    private static double MaximizeInSubspace(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, Tensor[] x, Settings s, Generator generator)
    {
        int p = s.SubspaceDimension;
        // A: n × p, Gaussian, stored per parameter tensor as (numel_k × p) blocks.
        var a = x.Select(t => randn([t.numel(), p], generator: generator, device: CPU).to(t.device)).ToArray();
        using var gram = a.Aggregate(zeros(p, p, device: x[0].device), (acc, block) => acc.Plus(block.t().matmul(block)));
        using var atx = a.Zip(x).Aggregate(zeros(p, device: x[0].device), (acc, pair) => acc.Plus(pair.First.t().matmul(pair.Second.flatten())));
        using var pseudo = linalg.solve(gram, atx);
        using var bound = pseudo.abs().Plus(1).Times(s.Epsilon);
        var z = zeros(p, device: x[0].device);
        double best = double.NegativeInfinity;
        for (int step = 0; step < s.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var y = Embed(a, x, z);
            var gradient = GradientAt(loss, parameters, x, y, out double value);
            best = Math.Max(best, value);
            var gz = a.Zip(gradient).Aggregate(zeros(p, device: z.device), (acc, pair) => acc.Plus(pair.First.t().matmul(pair.Second.flatten())));
            using var noGrad = no_grad();
            z.PlusInPlace((gz.sign() * bound).Times(s.StepFraction));
            z.copy_(torch.maximum(torch.minimum(z, bound), -bound));
        }

        using (var scope = NewDisposeScope()) best = Math.Max(best, ValueAt(loss, parameters, x, Embed(a, x, z)));
        z.Dispose();
        foreach (var block in a) block.Dispose();
        return best;
    }

    private static Tensor[] Embed(Tensor[] a, Tensor[] x, Tensor z) =>
        a.Zip(x).Select(pair => pair.First.matmul(z).reshape(pair.Second.shape)).ToArray();

    /// <summary>∇f at x + y (written into the parameters), and f there.</summary>
    private static Tensor[] GradientAt(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, Tensor[] x, Tensor[] y, out double value)
    {
        SetTo(parameters, x, y);
        var f = loss();
        value = f.item<float>();
        return autograd.grad([f], parameters.ToArray()).ToArray();
    }

    private static double ValueAt(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, Tensor[] x, Tensor[] y)
    {
        SetTo(parameters, x, y);
        return Evaluate(loss);
    }

    private static void SetTo(IReadOnlyList<Tensor> parameters, Tensor[] x, Tensor[] y)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < x.Length; i++) parameters[i].copy_(x[i].Plus(y[i]));
    }

    private static double Evaluate(Func<Tensor> loss)
    {
        using var noGrad = no_grad();
        using var f = loss();
        return f.item<float>();
    }
}
