using static TorchSharp.torch;

namespace SweepGrid.Training.Regularization;

/// <summary>
/// How a training step's gradient is computed: plain cross-entropy, or with a regularizer. Leaves the
/// gradient of the regularized objective in each parameter's <c>.grad</c> (which the caller zeroed)
/// and returns the plain mini-batch cross-entropy, detached, for monitoring and divergence checks.
/// </summary>
internal interface IGradientRule
{
    Tensor Backward(nn.Module<Tensor, Tensor> model, Batch batch, double learningRate);
}
