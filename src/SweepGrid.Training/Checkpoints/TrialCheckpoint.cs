using System.Text.Json;
using SweepGrid.Core.Checkpoints;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Checkpoints;

/// <summary>
/// Where a trial stood at the end of an epoch: what the training loop needs besides the tensors to
/// carry on as if never interrupted (steps, elapsed seconds, path length), and everything it had
/// reported so far. The reports come along because a checkpoint can be ahead of what was recorded:
/// the trainer writes it right after reporting the epoch, while the recorder stores that report
/// asynchronously, so a process killed in between would leave the resumed trajectory without that
/// epoch. A resumed run reports them again; the result tables take them idempotently.
/// </summary>
public sealed record TrialPosition(string TrialId, int Epoch, long Steps, double Seconds, double PathLength, double LastStepLength,
    IReadOnlyList<EpochRecord> Epochs, IReadOnlyList<TrajectoryPoint> Points, IReadOnlyList<WalkRecord> Walks, IReadOnlyList<FlatnessRecord> Flatness)
{
    public EpochRecord? Last => Epochs.Count == 0 ? null : Epochs[^1];

    public List<(double Step, double Distance)> DistancePoints() => Points.Select(p => ((double)p.Step, p.WeightDistance)).ToList();
}

/// <summary>Saves and restores a <see cref="TrainingSession"/> through <see cref="CheckpointFile"/>.</summary>
internal static class TrialCheckpoint
{
    public static void Save(string path, TrainingSession session, TrialPosition position) =>
        CheckpointFile.Write(path, position, session.CaptureState());

    /// <summary>
    /// Restores the last good checkpoint of this trial into a fresh session; null (and the session
    /// untouched) when there is none, it is for another trial, or it does not verify.
    /// </summary>
    /// <remarks>
    /// A generation whose checksum holds but whose header cannot be read as a position of this trial,
    /// or which lacks a section the session needs, is damaged like one whose checksum fails: the
    /// previous generation is tried, then none (the trial starts over). Nothing is restored until a
    /// generation has passed every check.
    /// </remarks>
    public static TrialPosition? TryRestore(string path, TrialSpec trial, TrainingSession session, out IReadOnlyList<string> rejected)
    {
        var reasons = new List<string>();
        rejected = reasons;
        foreach (var contents in CheckpointFile.ReadGood(path, reasons))
        {
            TrialPosition? position;
            try
            {
                position = contents.Metadata.Deserialize<TrialPosition>(CheckpointFile.Json);
            }
            catch (JsonException e)
            {
                reasons.Add($"{path}: its header is not a trial's position ({e.Message})");
                continue;
            }

            if (position is null || position.TrialId != trial.TrialId || position.Epoch < 1 || position.Epoch >= trial.Epochs || position.Epochs is null)
            {
                reasons.Add($"{path}: holds {position?.TrialId ?? "nothing"} at epoch {position?.Epoch}, not a resumable point of {trial.TrialId}");
                continue;
            }

            if (session.MissingSections(contents.Sections) is { Count: > 0 } missing)
            {
                reasons.Add($"{path}: lacks section(s) {string.Join(", ", missing)}");
                continue;
            }

            session.RestoreState(contents.Sections, position.Steps, position.PathLength, position.LastStepLength);
            return position;
        }

        return null;
    }
}
