using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// Relative flatness κ_Tr of a classifier layer (Petzka et al. 2021, "Relative Flatness and
/// Generalization"): κ = Σ_{s,s'} ⟨w_s, w_s'⟩ · Tr(H_{s,s'}), H the Hessian of the mean
/// cross-entropy with respect to W. For softmax cross-entropy it has the closed form
///   κ = (1/N) Σ_i ‖φ_i‖² · ( Σ_c G_cc p_ic − p_iᵀ G p_i ),  G = W Wᵀ, p_i = softmax(W φ_i + b),
/// because H_{s,s'} = (1/N) Σ_i (p_is δ_ss' − p_is p_is') φ_i φ_iᵀ. Differentiable, so FAM
/// (Adilova et al. 2023) can add λ·κ to the loss without second-order autograd.
/// </summary>
public static class RelativeFlatness
{
    /// <param name="weight">W, shape (classes, features).</param>
    /// <param name="features">φ, shape (N, features).</param>
    /// <param name="probabilities">softmax of the logits, shape (N, classes).</param>
    public static Tensor Kappa(Tensor weight, Tensor features, Tensor probabilities)
    {
        var gram = weight.matmul(weight.t());
        var expectedDiagonal = probabilities.matmul(gram.diagonal());
        var quadratic = (probabilities.matmul(gram) * probabilities).sum(1);
        var featureNorms = features.Squared().sum(1);
        return (featureNorms * (expectedDiagonal - quadratic)).mean();
    }

    /// <summary>
    /// The plain trace of the same Hessian block, Tr(H_W) = Σ_s Tr(H_ss) = (1/N) Σ_i ‖φ_i‖² (1 − ‖p_i‖²):
    /// unlike κ it changes when W is scaled by c and φ by 1/c (Petzka et al. 2021, the reason for κ).
    /// </summary>
    public static Tensor ClassifierTrace(Tensor features, Tensor probabilities) =>
        (features.Squared().sum(1) * probabilities.Squared().sum(1).OneMinus()).mean();
}
