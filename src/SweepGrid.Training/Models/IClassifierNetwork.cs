using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// A network f(x) = W φ(x) + b whose last layer is a linear classifier: relative flatness
/// (Petzka et al. 2021) is measured, and penalized by FAM, on that layer W and its input features φ.
/// </summary>
public interface IClassifierNetwork
{
    /// <summary>The classifier's weight W, shape (classes, features).</summary>
    Tensor ClassifierWeight { get; }

    /// <summary>Logits and the features φ(x) that feed the classifier.</summary>
    (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor input);
}
