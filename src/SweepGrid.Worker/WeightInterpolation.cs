using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;

namespace SweepGrid.Worker;

/// <summary>
/// `sweepgrid interpolate`'s evaluation: Keskar et al.'s (2017) parametric plot θ(α) = α·θ_B + (1 − α)·θ_A
/// between two trials' final weights, on the full training and test sets (<see cref="CrossTrialInterpolation"/>).
/// </summary>
public static class WeightInterpolation
{
    public sealed record Point(double Alpha, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy);

    /// <param name="trial">Trial A as its sweep expands it now (its model and data).</param>
    public static IReadOnlyList<Point> Between(TrialSpec trial, DatasetSpec dataset, string weightsA, string weightsB, int points) =>
        CrossTrialInterpolation.Run(trial, weightsA, weightsB, Datasets.Load(dataset), CrossTrialInterpolation.Alphas(points), Trainer.ResolveDevice(null))
            .Select(p => new Point(p.Alpha, p.TrainLoss, p.TrainAccuracy, p.TestLoss, p.TestAccuracy))
            .ToList();
}
