using System.Text.Json;
using SweepGrid.Core.Checkpoints;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;
using SweepGrid.Training.Loop;

namespace SweepGrid.Training.Checkpoints;

/// <summary>
/// Where a trial stood at the end of an epoch: what the training loop needs besides the tensors to
/// carry on as if never interrupted (steps, elapsed seconds, path length, the last epoch's record and
/// the sums of the ‖w_t − w₀‖ log fit), and the reports the store had not confirmed when it was
/// written. Those come along because a checkpoint can be ahead of what was recorded: the recorder
/// stores reports asynchronously, so a node killed before it had would leave the resumed trajectory
/// without them. A resumed run reports them again; the result tables take them idempotently. Reports
/// the store holds are not carried, so the file does not grow with the trial (issue 19).
/// </summary>
/// <param name="Epochs">Unconfirmed epoch records (every epoch so far in a checkpoint written before <paramref name="Fit"/> existed).</param>
/// <param name="Points">Unconfirmed trajectory points (likewise every point, in such an older checkpoint).</param>
/// <param name="LastEpoch">The record of <paramref name="Epoch"/>; null in an older checkpoint, whose <paramref name="Epochs"/> end with it.</param>
/// <param name="Fit">The log fit's sums over every point so far; null in an older checkpoint, whose <paramref name="Points"/> are all of them.</param>
/// <param name="Spectra">Unconfirmed Hessian spectra; null in a checkpoint written before they were recorded.</param>
public sealed record TrialPosition(string TrialId, int Epoch, long Steps, double Seconds, double PathLength, double LastStepLength,
    IReadOnlyList<EpochRecord> Epochs, IReadOnlyList<TrajectoryPoint> Points, IReadOnlyList<WalkRecord> Walks, IReadOnlyList<FlatnessRecord> Flatness,
    EpochRecord? LastEpoch = null, LogFit.Sums? Fit = null, IReadOnlyList<SpectrumRecord>? Spectra = null);

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
    /// <param name="paths">The files to try, in order (each with its previous generation): this attempt's, then earlier attempts'.</param>
    public static TrialPosition? TryRestore(IEnumerable<string> paths, TrialSpec trial, TrainingSession session, out IReadOnlyList<string> rejected)
    {
        var reasons = new List<string>();
        rejected = reasons;
        long maxBytes = MaxBytes(session);
        foreach (var (path, contents) in paths.SelectMany(p => CheckpointFile.ReadGood(p, reasons, maxBytes).Select(c => (p, c))))
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

            if (position is null || position.TrialId != trial.TrialId || position.Epoch < 1 || position.Epoch >= trial.Epochs || position.Epochs is null
                || position.Points is null || position.Walks is null || position.Flatness is null || (position.LastEpoch ?? position.Epochs.LastOrDefault()) is null)
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

    /// <summary>
    /// The largest checkpoint this session's trial can have written: the model's state and the optimizer's
    /// (SGD's momentum or Adam's two moments, each the parameters' size) are at most 4 times the model's,
    /// and the header's unconfirmed reports (an epoch's points at most) are megabytes; 256 MiB spare. A
    /// larger file is not this trial's checkpoint and is refused unread.
    /// </summary>
    public static long MaxBytes(TrainingSession session) => Math.Min(CheckpointFile.MaxBytes, 4 * session.StateBytes + (256L << 20));
}
