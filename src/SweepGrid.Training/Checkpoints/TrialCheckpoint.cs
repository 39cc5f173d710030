using System.Text.Json;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Checkpoints;

/// <summary>
/// Where a trial stood at the end of an epoch: what the training loop needs besides the tensors to
/// carry on as if never interrupted (steps, elapsed seconds, the (step, ‖w_t − w₀‖) points behind the
/// log fit, the last epoch's record).
/// </summary>
public sealed record TrialPosition(string TrialId, int Epoch, long Steps, double Seconds, double PathLength, double LastStepLength,
    IReadOnlyList<double[]> Distances, EpochRecord? Last)
{
    public List<(double Step, double Distance)> DistancePoints() => Distances.Select(d => (d[0], d[1])).ToList();
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
    public static TrialPosition? TryRestore(string path, TrialSpec trial, TrainingSession session, out IReadOnlyList<string> rejected)
    {
        var contents = CheckpointFile.ReadLastGood(path, out rejected);
        if (contents is null) return null;
        var position = contents.Metadata.Deserialize<TrialPosition>();
        if (position is null || position.TrialId != trial.TrialId || position.Epoch < 1 || position.Epoch >= trial.Epochs)
        {
            rejected = [.. rejected, $"{path}: holds {position?.TrialId ?? "nothing"} at epoch {position?.Epoch}, not a resumable point of {trial.TrialId}"];
            return null;
        }

        session.RestoreState(contents.Sections, position.Steps, position.PathLength, position.LastStepLength);
        return position;
    }
}
