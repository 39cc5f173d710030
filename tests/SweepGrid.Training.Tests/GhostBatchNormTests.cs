using SweepGrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

public sealed class GhostBatchNormTests
{
    private static Tensor Batch(int rows, int features, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return randn([rows, features], generator: generator) * 3 + 1;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public void Ghost_size_zero_or_the_full_batch_is_exactly_ordinary_batch_norm(int ghost)
    {
        using var gbn = new GhostBatchNorm(8, ghost);
        using var bn = nn.BatchNorm1d(8);
        for (int step = 0; step < 3; step++)
        {
            using var x = Batch(64, 8, step);
            using var expected = bn.forward(x);
            using var actual = gbn.forward(x);
            Assert.True(actual.eq(expected).all().item<bool>(), $"step {step}: outputs differ");
        }

        Assert.True(gbn.RunningMean.eq(bn.running_mean!).all().item<bool>());
        Assert.True(gbn.RunningVar.eq(bn.running_var!).all().item<bool>());
    }

    [Fact]
    public void Each_ghost_batch_is_normalized_with_its_own_statistics()
    {
        using var gbn = new GhostBatchNorm(5, 16);
        using var x = Batch(64, 5, 42);

        using var y = gbn.forward(x);

        foreach (var chunk in y.split(16))
        {
            Assert.True(chunk.mean([0]).abs().max().item<float>() < 1e-5f);
            // batch_norm normalizes with the biased variance of the chunk.
            Assert.True((chunk.var([0], unbiased: false) - 1).abs().max().item<float>() < 1e-3f);
        }

        using var bn = nn.BatchNorm1d(5);
        using var ordinary = bn.forward(x);
        Assert.False(y.allclose(ordinary, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void Running_statistics_forget_at_the_same_rate_as_ordinary_batch_norm()
    {
        // A batch whose every ghost batch has the same mean μ: after one step the running mean must be
        // m·μ, as ordinary batch norm with momentum m would give, not 1 − (1 − m)^4 of it.
        using var gbn = new GhostBatchNorm(1, 4, momentum: 0.1);
        using var x = tensor(new float[] { 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3 }).reshape(16, 1);

        gbn.forward(x).Dispose();

        Assert.Equal(0.2, gbn.RunningMean.item<float>(), 5);
        Assert.Equal(0.1, GhostBatchNorm.GhostMomentum(0.1, 1), 12);
        Assert.Equal(1 - 0.9, 1 - Math.Pow(1 - GhostBatchNorm.GhostMomentum(0.1, 4), 4), 12);
    }

    [Fact]
    public void Evaluation_uses_running_statistics_not_the_batch()
    {
        using var gbn = new GhostBatchNorm(3, 8);
        gbn.eval();
        using var x = Batch(16, 3, 3);

        using var y = gbn.forward(x);

        // Fresh running stats are mean 0, variance 1: eval mode passes the input (almost) unchanged.
        Assert.True(y.allclose(x / Math.Sqrt(1 + 1e-5), rtol: 1e-5, atol: 1e-5));
    }
}
