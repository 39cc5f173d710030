using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using SweepGrid.Training.Models;
using SweepGrid.Training.Regularization;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

public sealed class FullBatchTests
{
    [Fact]
    public void Chunked_accumulation_gives_the_gradient_of_the_whole_batch()
    {
        random.manual_seed(1);
        using var model = new Mlp(6, [8], 3, batchNorm: false, ghostBatchSize: 0);
        using var generator = new Generator(2);
        var x = randn([50, 6], generator: generator);
        var y = randint(0, 3, [50], generator: generator);

        Tensor[] Gradient(int chunk)
        {
            model.zero_grad();
            new PlainGradient().Backward(model, new Batch(x, y, chunk), 0.1);
            return model.parameters().Select(p => p.grad!.clone()).ToArray();
        }

        var whole = Gradient(0);
        var chunked = Gradient(16);

        Assert.All(whole.Zip(chunked), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 1e-5, atol: 1e-6)));
    }

    [Fact]
    public void A_full_batch_trial_makes_one_step_per_epoch_over_the_whole_training_set()
    {
        var spec = SweepFile.Parse("""
            sweep {
              name = full
              dataset { name = synthetic, synthetic { train-size = 300, test-size = 100, features = 8, classes = 3 } }
              model { hidden = [16], norm = batch }
              base { batch-size = 100, learning-rate = 0.2, epochs = 3 }
              training { chunk-size = 64 }
              grid { batch-size = [full], regularizer-strength = [0, 0.5] }
              regularizer = gradient-norm
            }
            """, "full.hocon");
        var trials = GridExpansion.Expand(spec, trainCount: 300);
        var collector = new EpochCollector();

        var outcome = Trainer.Run(trials[1], Datasets.Load(trials[1].Dataset), collector, CancellationToken.None);
        var epochs = collector.Epochs;

        Assert.All(trials, t => Assert.Equal((true, 300, 64), (t.FullBatch, t.BatchSize, t.ChunkSize)));
        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.Equal([1L, 2, 3], epochs.Select(e => e.Step));
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss);
    }

    [Fact]
    public void Expanding_a_full_batch_grid_without_the_training_set_size_is_refused()
    {
        var spec = SweepFile.Parse("sweep { name = f, dataset { name = synthetic }, grid { batch-size = [full] } }", "f.hocon");

        Assert.Throws<InvalidOperationException>(() => GridExpansion.Expand(spec));
    }
}
