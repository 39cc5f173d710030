using SweepGrid.Core.Trials;
using SweepGrid.Training.Models;
using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Regularization;

/// <summary>Picks the gradient rule of a trial's regularizer. Strength 0 is always plain training.</summary>
internal static class GradientRules
{
    public static IGradientRule For(TrialSpec trial, nn.Module<Tensor, Tensor> model)
    {
        double strength = trial.RegularizerStrength;
        if (strength == 0) return new PlainGradient();
        return trial.Regularizer switch
        {
            // L2 weight decay is applied by the optimizer (see TrainingSession), the gradient is plain.
            "weight-decay" => new PlainGradient(),
            "gradient-norm" => new GradientNormPenalty(strength),
            "relative-flatness" => model is IClassifierNetwork network
                ? new RelativeFlatnessPenalty(network, strength)
                : throw new ArgumentException($"model {trial.Model.Name} does not expose a classifier layer for relative flatness"),
            "sam" => new SharpnessAware(strength),
            _ => throw new ArgumentException($"unknown regularizer \"{trial.Regularizer}\""),
        };
    }

    /// <summary>The plain objective: cross-entropy, which is also what is monitored.</summary>
    internal static Tensor CrossEntropy(nn.Module<Tensor, Tensor> model, Batch batch) =>
        batch.Accumulate((x, y) =>
        {
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            return (loss, loss);
        });

    /// <summary>The parameters that received a gradient, and a detached copy of it.</summary>
    internal static (Tensor Parameter, Tensor Gradient)[] Gradients(nn.Module model) =>
        model.parameters().Where(p => p.grad is not null).Select(p => ((Tensor)p, p.grad!.detach().clone())).ToArray();

    /// <summary>
    /// Leaves ∇L(θ + scale·direction) in .grad and θ as it was. Batch-norm running statistics are
    /// frozen for that pass: it is a probe of the same batch, not another batch.
    /// </summary>
    internal static void GradientAtShift(
        nn.Module<Tensor, Tensor> model, Batch batch, IReadOnlyList<(Tensor Parameter, Tensor Gradient)> parameters,
        IReadOnlyList<Tensor> directions, double scale)
    {
        Shift(parameters, directions, scale);
        model.zero_grad();
        using (new FrozenBatchNormStats(model))
        {
            CrossEntropy(model, batch);
        }

        Shift(parameters, directions, -scale);
    }

    /// <summary>‖(t₁, t₂, …)‖, summed on the tensors' own device (a running sum begun with a device-less
    /// zeros(1) was a CPU tensor, which mixed devices on CUDA), read back once.</summary>
    internal static double Norm(IEnumerable<Tensor> tensors)
    {
        using var scope = NewDisposeScope();
        var squares = tensors.Select(t => t.to_type(float64).Squared().sum()).ToArray();
        return squares.Length == 0 ? 0 : Math.Sqrt(stack(squares).sum().item<double>());
    }

    /// <summary>Moves every parameter by scale·direction, without recording it for autograd.</summary>
    internal static void Shift(IReadOnlyList<(Tensor Parameter, Tensor Gradient)> parameters, IReadOnlyList<Tensor> directions, double scale)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Count; i++) parameters[i].Parameter.AddInPlace(directions[i], scale);
    }
}

/// <summary>The gradient of the mini-batch cross-entropy.</summary>
internal sealed class PlainGradient : IGradientRule
{
    public Tensor Backward(nn.Module<Tensor, Tensor> model, Batch batch, double learningRate) =>
        GradientRules.CrossEntropy(model, batch);
}

/// <summary>
/// SAM (Foret et al. 2021, "Sharpness-Aware Minimization"): ε = ρ·g/‖g‖; the gradient is taken at
/// w + ε on the same batch (batch-norm running statistics frozen for that pass) and the step is
/// made from w.
/// </summary>
internal sealed class SharpnessAware(double rho) : IGradientRule
{
    public Tensor Backward(nn.Module<Tensor, Tensor> model, Batch batch, double learningRate)
    {
        var loss = GradientRules.CrossEntropy(model, batch);
        var parameters = GradientRules.Gradients(model);
        var directions = parameters.Select(p => p.Gradient).ToArray();
        GradientRules.GradientAtShift(model, batch, parameters, directions, rho / (GradientRules.Norm(directions) + 1e-12));
        return loss;
    }
}

/// <summary>
/// Explicit gradient-norm penalty (Geiping et al. 2022, "Stochastic Training is Not Necessary for
/// Generalization"), objective L + (η/4)·λ·‖∇L‖², whose gradient needs a Hessian-vector product.
/// As in their code, it is taken by a finite difference: g ← g + (η/4)·H(λg), with
/// H v ≈ (∇L(θ + e·v) − ∇L(θ)) / e and e = 0.01/‖v‖ (their factor, as SCIENCE.md records it).
/// Batch-norm running statistics are frozen for the shifted pass.
/// </summary>
internal sealed class GradientNormPenalty(double lambda) : IGradientRule
{
    private const double FiniteDifferenceScale = 0.01;

    public Tensor Backward(nn.Module<Tensor, Tensor> model, Batch batch, double learningRate)
    {
        var loss = GradientRules.CrossEntropy(model, batch);
        var parameters = GradientRules.Gradients(model);
        var gradients = parameters.Select(p => p.Gradient).ToArray();
        var v = gradients.Select(g => g.Times(lambda)).ToArray();
        double e = FiniteDifferenceScale / (GradientRules.Norm(v) + 1e-12);
        GradientRules.GradientAtShift(model, batch, parameters, v, e);
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            // grad (a fresh tensor after zero_grad) holds ∇L(θ + e·v); replace it with g + (η/4)·(∇L(θ + e·v) − g)/e.
            var shifted = parameters[i].Parameter.grad!;
            var hv = (shifted - gradients[i]).Over(e);
            shifted.copy_(gradients[i].Plus(hv.Times(learningRate / 4)));
        }

        return loss;
    }
}

/// <summary>
/// FAM (Adilova et al. 2023, "FAM: Relative Flatness Aware Minimization"): loss = CE + λ·κ(W) with
/// κ the relative flatness of the classifier layer on the mini-batch (<see cref="Metrics.RelativeFlatness"/>),
/// differentiated through autograd.
/// </summary>
internal sealed class RelativeFlatnessPenalty(IClassifierNetwork network, double lambda) : IGradientRule
{
    /// <remarks>κ is a mean over samples, so the chunk-weighted sum of per-chunk κ is the batch's κ.</remarks>
    public Tensor Backward(nn.Module<Tensor, Tensor> model, Batch batch, double learningRate) =>
        batch.Accumulate((x, y) =>
        {
            var (logits, features) = network.ForwardWithFeatures(x);
            var loss = nn.functional.cross_entropy(logits, y);
            var kappa = Metrics.RelativeFlatness.Kappa(network.ClassifierWeight, features, nn.functional.softmax(logits, 1));
            return (loss.Plus(kappa.Times(lambda)), loss);
        });
}
