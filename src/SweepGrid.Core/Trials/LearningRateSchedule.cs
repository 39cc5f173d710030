using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Trials;

/// <summary>
/// The factor on a trial's learning rate at a point of training, in epochs completed (fractional:
/// step / steps-per-epoch). Pure, so the schedule is tested without a training loop.
/// </summary>
public static class LearningRateSchedule
{
    public static double Factor(ScheduleSpec schedule, int totalEpochs, double epochsDone)
    {
        // Linear warm-up from ~0 to 1 (Goyal et al. 2017; Geiping et al. 2022 for full batch).
        if (schedule.WarmupEpochs > 0 && epochsDone < schedule.WarmupEpochs)
        {
            return Math.Max(epochsDone, 1e-3) / schedule.WarmupEpochs;
        }

        return schedule.Name switch
        {
            "constant" => 1.0,
            // A drop "at epoch d" applies once d epochs are done.
            "step" => Math.Pow(schedule.DropFactor, schedule.DropEpochs.Count(d => epochsDone >= d)),
            // Cosine annealing to 0 over the epochs after warm-up (Loshchilov & Hutter 2017, without restarts).
            "cosine" => 0.5 * (1 + Math.Cos(Math.PI * Progress(schedule, totalEpochs, epochsDone))),
            _ => throw new ArgumentException($"unknown schedule \"{schedule.Name}\""),
        };
    }

    private static double Progress(ScheduleSpec schedule, int totalEpochs, double epochsDone) =>
        Math.Clamp((epochsDone - schedule.WarmupEpochs) / Math.Max(1, totalEpochs - schedule.WarmupEpochs), 0, 1);
}
