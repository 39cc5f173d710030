using SweepGrid.Core.Sweeps;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Tests;

public sealed class EvaluationBatchTests
{
    private static ModelSpec Model(string name) => new(name, [512], "batch", 20, 0.5);

    [Theory]
    [InlineData("mlp", 32, 4096)]
    [InlineData("mlp", 8192, 4096)]
    [InlineData("resnet", 32, 256)]
    [InlineData("resnet", 1024, 1024)]
    [InlineData("convnet", 8192, 4096)]
    public void An_mlp_evaluates_the_most_at_once_and_a_conv_net_its_training_batch_within_256_to_the_most(string model, int batch, int expected) =>
        Assert.Equal(expected, Evaluation.BatchFor(Model(model), batch, max: 4096));
}
