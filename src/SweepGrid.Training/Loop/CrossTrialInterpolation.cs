using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Models;
using SweepGrid.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Keskar et al.'s parametric plot (2017, §2.2, Figure 3): train and test loss and accuracy of
/// θ(α) = α·θ_B + (1 − α)·θ_A between (and beyond) the final weights of two trials of the same
/// architecture. Batch norm's running statistics are interpolated with the weights (variances
/// clamped at 0 when extrapolation would make them negative), and evaluation is in eval mode, so
/// α = 0 and α = 1 reproduce the two trials' own final numbers.
/// </summary>
public static class CrossTrialInterpolation
{
    public sealed record Point(double Alpha, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy);

    /// <summary>α from −1 to 2 in <paramref name="points"/> steps (the paper's range; 25 points).</summary>
    public static IReadOnlyList<double> Alphas(int points) =>
        Enumerable.Range(0, points).Select(i => -1 + 3.0 * i / (points - 1)).ToList();

    public static IReadOnlyList<Point> Run(
        TrialSpec architecture, string weightsA, string weightsB, DatasetPair data, IReadOnlyList<double> alphas, Device device,
        int evalBatchSize = 4096)
    {
        using var scope = NewDisposeScope();
        var a = Load(architecture, data, weightsA, device);
        var b = Load(architecture, data, weightsB, device);
        var mix = Load(architecture, data, weightsA, device);
        mix.eval();
        var stateA = a.state_dict();
        var stateB = b.state_dict();
        var target = mix.state_dict();
        var (trainX, trainY) = TrainingSession.ToDevice(data.Train, device);
        var (testX, testY) = TrainingSession.ToDevice(data.Test, device);
        var points = new List<Point>(alphas.Count);
        foreach (var alpha in alphas)
        {
            using (no_grad())
            {
                foreach (var (key, tensor) in target)
                {
                    // Integer buffers (batches seen) are not interpolable; they do not enter eval-mode outputs.
                    if (!tensor.is_floating_point()) continue;
                    tensor.copy_(stateB[key].Times(alpha).Plus(stateA[key].Times(1 - alpha)));
                    // Outside [0, 1] an interpolated running variance can go negative; batch norm's ε keeps 0 finite.
                    if (key.EndsWith("running_var", StringComparison.Ordinal)) tensor.ClampBelow(0);
                }
            }

            var (trainLoss, trainAcc) = Evaluation.LossAndAccuracy(mix, trainX, trainY, evalBatchSize);
            var (testLoss, testAcc) = Evaluation.LossAndAccuracy(mix, testX, testY, evalBatchSize);
            points.Add(new Point(alpha, trainLoss, trainAcc, testLoss, testAcc));
        }

        return points;
    }

    private static nn.Module<Tensor, Tensor> Load(TrialSpec trial, DatasetPair data, string path, Device device)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"final weights of trial not found: {path}", path);
        var model = ModelFactory.Create(trial, data.Train.Shape, data.Train.ClassCount);
        // The file is the model's state and a little framing: anything much larger, or not a regular file, is not these weights.
        long stateBytes = FinalWeights.StateBytes(model);
        using (var reader = new BinaryReader(Core.Files.RegularFile.OpenRead(path, 2 * stateBytes + (16L << 20))))
        {
            model.load(reader);
        }

        model.to(device);
        return model;
    }
}
