using TorchSharp;
using static TorchSharp.torch;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Training.Loop;

/// <summary>Mean cross-entropy and accuracy of a model over a whole set, in chunks, without gradients.</summary>
public static class Evaluation
{
    /// <summary>
    /// Samples per forward pass when a trial evaluates whole sets. An MLP's activations are small (4096
    /// samples × 512 units is 8 MB), so it evaluates <paramref name="max"/> at a time; a convolutional
    /// network's are the image's size per channel (ResNet-20 on 28×28: 50 kB a sample and layer, 200 MB
    /// a layer at 4096), which made evaluation, not training, what a small trial under --slot-memory 1G
    /// could not allocate. It evaluates at its own training batch (which it must fit, with gradients),
    /// at least 256 and at most <paramref name="max"/>. Only the order of the loss's sums depends on it.
    /// </summary>
    public static int BatchFor(ModelSpec model, int trainingBatch, int max) =>
        model.Name == "mlp" ? max : Math.Clamp(trainingBatch, Math.Min(256, max), max);

    public static (double Loss, double Accuracy) LossAndAccuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int chunk)
    {
        using var noGrad = no_grad();
        long n = y.shape[0];
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(chunk, n - start);
            var logits = model.forward(x.narrow(0, start, count));
            var labels = y.narrow(0, start, count);
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).to_type(float64).item<double>();
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }

        return (lossSum / n, (double)correct / n);
    }
}
