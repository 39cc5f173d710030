using SweepGrid.Core.Results;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using SweepGrid.Training.Metrics;
using SweepGrid.Training.Models;
using SweepGrid.Training.Regularization;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

public sealed class RegularizerTests
{
    private static (Mlp Model, Tensor X, Tensor Y) Tiny(int seed = 3)
    {
        random.manual_seed(seed);
        var model = new Mlp(6, [8], 3, batchNorm: true, ghostBatchSize: 0);
        using var generator = new Generator((ulong)seed);
        var x = randn([16, 6], generator: generator);
        var y = randint(0, 3, [16], generator: generator);
        return (model, x, y);
    }

    private static Tensor[] Gradient(Mlp model, IGradientRule rule, Tensor x, Tensor y, double lr = 0.1)
    {
        model.train();
        model.zero_grad();
        rule.Backward(model, new Batch(x, y, 0), lr);
        return model.parameters().Select(p => p.grad!.detach().clone()).ToArray();
    }

    private static Tensor[] Snapshot(nn.Module model) => model.parameters().Select(p => p.detach().clone()).ToArray();

    private static double MaxDifference(Tensor[] a, Tensor[] b) =>
        a.Zip(b).Max(pair => (pair.First - pair.Second).abs().max().item<float>());

    [Fact]
    public void Sam_takes_the_gradient_at_the_perturbed_point_and_restores_the_weights()
    {
        var (model, x, y) = Tiny();
        var before = Snapshot(model);
        var plain = Gradient(model, new PlainGradient(), x, y);
        const double rho = 0.05;

        var sam = Gradient(model, new SharpnessAware(rho), x, y);

        Assert.True(MaxDifference(before, Snapshot(model)) < 1e-6, "weights restored after the ascent step");
        Assert.True(MaxDifference(plain, sam) > 1e-4, "SAM's gradient differs from the plain one");
        // Independently: move to w + ρ·g/‖g‖ by hand and take the plain gradient there.
        double norm = Math.Sqrt(plain.Sum(g => g.pow(2).sum().item<float>()));
        using (no_grad())
        {
            foreach (var (p, g) in model.parameters().Zip(plain)) p.add_(g, alpha: rho / norm);
        }

        using (new FrozenBatchNormStats(model))
        {
            var expected = Gradient(model, new PlainGradient(), x, y);
            Assert.True(MaxDifference(expected, sam) < 1e-5);
        }
    }

    [Fact]
    public void Frozen_batch_norm_statistics_do_not_move()
    {
        var (model, x, y) = Tiny();
        model.train();
        var norm = model.modules().OfType<GhostBatchNorm>().Single();
        var mean = norm.RunningMean.clone();

        using (new FrozenBatchNormStats(model)) model.forward(x).Dispose();
        Assert.True(norm.RunningMean.eq(mean).all().item<bool>());
        model.forward(x).Dispose();
        Assert.False(norm.RunningMean.eq(mean).all().item<bool>());
        _ = y;
    }

    [Fact]
    public void Gradient_norm_penalty_adds_eta_over_4_times_lambda_times_the_Hessian_vector_product()
    {
        var (model, x, y) = Tiny();
        model.train();
        const double lambda = 0.5, lr = 0.2;
        var plain = Gradient(model, new PlainGradient(), x, y, lr);

        var penalized = Gradient(model, new GradientNormPenalty(lambda), x, y, lr);

        // H·g by double backprop (create_graph needs retain_graph in TorchSharp, see NOTES.md).
        model.zero_grad();
        Tensor[] hg;
        using (new FrozenBatchNormStats(model))
        {
            var parameters = model.parameters().Select(p => (Tensor)p).ToList();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            var grads = autograd.grad([loss], parameters, retain_graph: true, create_graph: true);
            var dot = grads.Zip(plain).Aggregate(zeros(1), (acc, pair) => acc + (pair.First * pair.Second).sum());
            hg = autograd.grad([dot], parameters, retain_graph: true).Select(t => t.detach()).ToArray();
        }

        var expected = plain.Zip(hg).Select(pair => pair.First + pair.Second * (lr / 4 * lambda)).ToArray();
        var added = MaxDifference(penalized, plain);
        Assert.True(added > 1e-5, "the penalty changes the gradient");
        Assert.True(MaxDifference(penalized, expected) < 0.05 * added, $"finite difference within 5% of the exact HVP term ({added})");
    }

    [Fact]
    public void Relative_flatness_penalty_pushes_kappa_down()
    {
        var (model, x, y) = Tiny();
        model.train();
        const double lambda = 1.0;
        var plain = Gradient(model, new PlainGradient(), x, y);
        var fam = Gradient(model, new RelativeFlatnessPenalty(model, lambda), x, y);
        double Kappa()
        {
            using var noGrad = no_grad();
            var (logits, features) = model.ForwardWithFeatures(x);
            return RelativeFlatness.Kappa(model.ClassifierWeight, features, nn.functional.softmax(logits, 1)).item<float>();
        }

        model.eval();
        double before = Kappa();
        using (no_grad())
        {
            foreach (var ((p, f), g) in model.parameters().Zip(fam).Zip(plain)) p.sub_((f - g) * 0.01);
        }

        Assert.True(MaxDifference(plain, fam) > 1e-5);
        Assert.True(Kappa() < before, "a step along the penalty's own gradient lowers κ");
    }

    [Fact]
    public void Relative_flatness_closed_form_matches_the_definition_from_an_explicit_hessian()
    {
        using var generator = new Generator(5);
        int classes = 3, width = 4, n = 5;
        var w = randn([classes, width], generator: generator).requires_grad_(true);
        var b = randn([classes], generator: generator);
        var phi = randn([n, width], generator: generator);
        var labels = randint(0, classes, [n], generator: generator);

        var loss = nn.functional.cross_entropy(phi.matmul(w.t()) + b, labels);
        var grad = autograd.grad([loss], [w], retain_graph: true, create_graph: true)[0].flatten();
        var hessian = zeros(classes * width, classes * width, dtype: float64);
        for (int i = 0; i < classes * width; i++)
        {
            hessian[i] = autograd.grad([grad[i]], [w], retain_graph: true)[0].flatten().to_type(float64);
        }

        // κ = Σ_{s,s'} ⟨w_s, w_s'⟩ · Tr(H_{s,s'}), H_{s,s'} the width×width block of rows s, columns s'.
        double expected = 0;
        var wd = w.detach().to_type(float64);
        for (int s = 0; s < classes; s++)
        for (int t = 0; t < classes; t++)
        {
            double trace = 0;
            for (int j = 0; j < width; j++) trace += hessian[s * width + j, t * width + j].item<double>();
            expected += (wd[s] * wd[t]).sum().item<double>() * trace;
        }

        var probabilities = nn.functional.softmax(phi.matmul(w.t()) + b, 1);
        double closed = RelativeFlatness.Kappa(w.detach(), phi, probabilities).item<float>();

        Assert.Equal(expected, closed, 4);
    }

    [Theory]
    [InlineData("sam")]
    [InlineData("gradient-norm")]
    [InlineData("relative-flatness")]
    [InlineData("weight-decay")]
    public void Strength_zero_is_exactly_plain_training(string regularizer)
    {
        var plain = Run("regularizer = weight-decay");
        var zero = Run($"regularizer = {regularizer}\n grid {{ regularizer-strength = [0] }}");

        Assert.Equal(plain.Select(e => e with { Seconds = 0 }), zero.Select(e => e with { Seconds = 0 }));
    }

    [Theory]
    [InlineData("sam", 0.05)]
    [InlineData("gradient-norm", 0.5)]
    [InlineData("relative-flatness", 0.1)]
    [InlineData("weight-decay", 0.01)]
    public void Each_regularizer_trains_and_changes_the_run(string regularizer, double strength)
    {
        var plain = Run("regularizer = weight-decay");
        var regularized = Run($"regularizer = {regularizer}\n grid {{ regularizer-strength = [{strength}] }}");

        Assert.NotEqual(plain[^1].TrainLoss, regularized[^1].TrainLoss);
        Assert.True(regularized[^1].TestAccuracy > 0.5, $"{regularizer} still learns: {regularized[^1].TestAccuracy}");
    }

    [Fact]
    public void Weight_decay_keeps_the_weights_closer_to_zero()
    {
        var plain = SyntheticSweeps.Trial("grid { regularizer-strength = [0] }");
        var decayed = SyntheticSweeps.Trial("grid { regularizer-strength = [0.05] }");
        var data = Datasets.Load(plain.Dataset);

        double Norm(Core.Trials.TrialSpec trial)
        {
            using var session = new TrainingSession(trial, data, CPU, TrainerOptions.Default);
            session.TrainEpoch(CancellationToken.None);
            return session.ParameterNorm();
        }

        Assert.True(Norm(decayed) < Norm(plain));
    }

    private static List<EpochRecord> Run(string overrides)
    {
        var trial = SyntheticSweeps.Trial(overrides, epochs: 2);
        var collector = new EpochCollector();
        Trainer.Run(trial, Datasets.Load(trial.Dataset), collector, CancellationToken.None);
        return collector.Epochs;
    }
}
