using SweepGrid.Core.Sweeps;

namespace SweepGrid.Store;

/// <summary>
/// The store folder's files, each path built in one place from checked names: a name from a message or
/// a row that is not a sweep name or a trial id never becomes a path (<see cref="SafePath"/>).
/// </summary>
public sealed class StoreFiles(string directory)
{
    /// <summary>Where every process of a store writes its log (compact JSON, one event per line).</summary>
    public const string LogFolder = "logs";

    public string Directory => directory;

    public string Logs => Path.Combine(directory, LogFolder);

    /// <summary>
    /// A running trial's checkpoint (checkpoints/SWEEP/TRIAL.ckpt), kept until its outcome is stored; each
    /// attempt writes TRIAL.aN.ckpt beside it (Core.Checkpoints.CheckpointFile.ForAttempt).
    /// </summary>
    /// <exception cref="InvalidDataException">The names (from a message or a row) are not a sweep name and a trial id.</exception>
    public string Checkpoint(string sweep, string trial) => FilePath("checkpoints", sweep, trial, ".ckpt");

    /// <summary>
    /// Where attempt <paramref name="attempt"/> keeps the final weights of a completed trial:
    /// weights/SWEEP/TRIAL.aN.pt. The trial's weights are those of the attempt whose outcome is stored
    /// (trials.outcome_attempt): a superseded attempt that completes late writes a file of its own, which
    /// nothing reads. Stores before 2026-12 hold weights/SWEEP/TRIAL.pt (<paramref name="attempt"/> null).
    /// </summary>
    /// <exception cref="InvalidDataException">The names (from a message or a row) are not a sweep name and a trial id.</exception>
    public string Weights(string sweep, string trial, int? attempt) =>
        FilePath("weights", sweep, trial, attempt is { } n ? $".a{n}.pt" : ".pt");

    private string FilePath(string folder, string sweep, string trial, string extension) =>
        SafePath.Under(directory, folder, Names.SweepName(sweep, $"{folder} path"), Names.TrialId(trial, $"{folder} path") + extension);
}
