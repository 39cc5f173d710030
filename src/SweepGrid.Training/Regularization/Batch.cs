using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Regularization;

/// <summary>
/// The samples of one training step. <see cref="Accumulate"/> runs an objective forward and backward
/// over them, in chunks of at most the chunk size (when positive and smaller than the batch) (full-batch
/// gradient descent: Geiping et al. 2022 accumulate the full gradient the same way), each chunk's
/// gradient weighted by its share of the batch, so .grad ends up holding the gradient of the batch mean.
/// </summary>
internal sealed class Batch(Tensor input, Tensor labels, int chunkSize)
{
    /// <param name="objective">Maps a chunk (inputs, labels) to its objective and its plain cross-entropy.</param>
    /// <returns>The batch's mean cross-entropy, detached.</returns>
    public Tensor Accumulate(Func<Tensor, Tensor, (Tensor Objective, Tensor CrossEntropy)> objective)
    {
        long n = labels.shape[0];
        if (chunkSize <= 0 || chunkSize >= n)
        {
            var (whole, crossEntropy) = objective(input, labels);
            whole.backward();
            return crossEntropy.detach();
        }

        var total = zeros(1, device: input.device);
        for (long start = 0; start < n; start += chunkSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(chunkSize, n - start);
            double share = (double)count / n;
            var (chunk, crossEntropy) = objective(input.narrow(0, start, count), labels.narrow(0, start, count));
            chunk.Times(share).backward();
            total.PlusInPlace(crossEntropy.detach().Times(share));
        }

        return total;
    }
}
