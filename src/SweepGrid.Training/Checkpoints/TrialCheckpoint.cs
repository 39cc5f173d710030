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
/// <param name="Epoch">Epochs completed.</param>
/// <param name="StepInEpoch">
/// Steps taken of epoch <paramref name="Epoch"/> + 1: 0 at an epoch's end; more in a checkpoint written
/// within an epoch (a release's, on SIGTERM or a stop), whose <paramref name="Points"/> and
/// <paramref name="Walks"/> include that epoch's so far. Absent (0) in a checkpoint written before
/// there were mid-epoch ones.
/// </param>
public sealed record TrialPosition(string TrialId, int Epoch, long Steps, double Seconds, double PathLength, double LastStepLength,
    IReadOnlyList<EpochRecord> Epochs, IReadOnlyList<TrajectoryPoint> Points, IReadOnlyList<WalkRecord> Walks, IReadOnlyList<FlatnessRecord> Flatness,
    EpochRecord? LastEpoch = null, LogFit.Sums? Fit = null, IReadOnlyList<SpectrumRecord>? Spectra = null, long StepInEpoch = 0)
{
    public bool MidEpoch => StepInEpoch > 0;
}

/// <summary>Saves and restores a <see cref="TrainingSession"/> through <see cref="CheckpointFile"/>.</summary>
internal static class TrialCheckpoint
{
    public static void Save(string path, TrainingSession session, TrialPosition position) =>
        CheckpointFile.Write(path, position, session.CaptureState(position.MidEpoch));

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

            if (Unresumable(position, trial, session) is { } why)
            {
                reasons.Add($"{path}: holds {position?.TrialId ?? "nothing"} after epoch {position?.Epoch} and {position?.StepInEpoch} steps, not a resumable point of {trial.TrialId} ({why})");
                continue;
            }

            if (session.MissingSections(contents.Sections, position!.MidEpoch) is { Count: > 0 } missing)
            {
                reasons.Add($"{path}: lacks section(s) {string.Join(", ", missing)}");
                continue;
            }

            session.RestoreState(contents.Sections, position.Steps, position.PathLength, position.LastStepLength, position.MidEpoch);
            return position;
        }

        return null;
    }

    /// <summary>Why <paramref name="position"/> is not a point <paramref name="trial"/> can resume from; null if it is.</summary>
    private static string? Unresumable(TrialPosition? position, TrialSpec trial, TrainingSession session)
    {
        if (position is null || position.TrialId != trial.TrialId) return "another trial's";
        if (position.Epochs is null || position.Points is null || position.Walks is null || position.Flatness is null) return "reports missing";
        if (position.Epoch >= trial.Epochs || position.Epoch < (position.MidEpoch ? 0 : 1)) return "epoch out of range";
        // An epoch's last step ends the epoch: a checkpoint "within" it at or past that point is not one this build writes.
        if (position.StepInEpoch < 0 || (position.MidEpoch && (trial.FullBatch || position.StepInEpoch >= session.StepsPerEpoch))) return "step out of range";
        if (position.MidEpoch && position.Steps != position.Epoch * session.StepsPerEpoch + position.StepInEpoch) return "steps do not add up";
        if (position.Epoch > 0 && (position.LastEpoch ?? position.Epochs.LastOrDefault()) is null) return "no record of its last epoch";
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
