using SweepGrid.Data;
using SweepGrid.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests;

/// <summary>
/// Every tensor of the training loop is made on the trial's device. No GPU here, so the check is made
/// with torch's META device as the default: the trial trains on an explicit CPU device, and any tensor
/// made without a device lands on META, where reading it or mixing it with CPU tensors fails loudly.
/// On CUDA the same tensor would have been made on the CPU and mixed devices.
/// (Models are built on the default device and moved, as in PyTorch; the check starts after that.)
/// </summary>
public sealed class DeviceDisciplineTests
{
    [Theory]
    [InlineData("regularizer = weight-decay, grid { regularizer-strength = [1e-4] }")]
    [InlineData("regularizer = gradient-norm, grid { regularizer-strength = [0.01] }")]
    [InlineData("regularizer = relative-flatness, grid { regularizer-strength = [0.01] }")]
    [InlineData("regularizer = sam, grid { regularizer-strength = [0.05], ghost-batch-size = [16] }")]
    [InlineData("optimizer { name = adam, clip-norm = 1.0 }, schedule { name = cosine, warmup-epochs = 1 }")]
    [InlineData("metrics { every-steps = 2, path-length = true, walk-every-steps = 8, walk-points = 3, probe-size = 64, flatness = [sharpness, sharpness-subspace, hessian-top, hessian-trace, relative-flatness], sharpness { steps = 2, subspace-dimension = 4 } }")]
    public void A_trial_makes_no_tensor_off_its_device(string keys)
    {
        var trial = SyntheticSweeps.Trial(keys, epochs: 2);
        using var session = new TrainingSession(trial, Datasets.Load(trial.Dataset), CPU, TrainerOptions.Default);
        torch.set_default_device(META);
        try
        {
            for (int epoch = 1; epoch <= trial.Epochs; epoch++)
            {
                var result = session.TrainEpoch(CancellationToken.None);
                Assert.Null(result.DivergedAt);
                Assert.NotEmpty(session.TakePoints());
                var record = session.Evaluate(epoch, result.Steps * epoch, 1.0);
                Assert.True(double.IsFinite(record.TrainLoss));
            }

            Assert.All(session.MeasureFlatness(trial.Epochs), f => Assert.False(double.IsNaN(f.Value) && f.Metric != "none", f.Metric));
            Assert.True(double.IsFinite(session.ParameterNorm()));
        }
        finally
        {
            torch.set_default_device(CPU);
        }
    }
}
