using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>Mean cross-entropy and accuracy of a model over a whole set, in chunks, without gradients.</summary>
public static class Evaluation
{
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
