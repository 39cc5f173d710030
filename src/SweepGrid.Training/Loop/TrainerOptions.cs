namespace SweepGrid.Training.Loop;

/// <summary>
/// Knobs of the training loop that are not part of a trial's identity.
/// </summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N"; null picks cuda when available, else cpu.</param>
/// <param name="EvalBatchSize">The most samples per forward pass when evaluating the full train and test sets (Evaluation.BatchFor).</param>
/// <param name="FinalWeightsPath">Where a completed trial's final weights are saved; null keeps none.</param>
/// <param name="CheckpointPath">This trial's checkpoint file (resumed from if it verifies, written every
/// trial.CheckpointEveryEpochs epochs, deleted at the end); null: no checkpoints.</param>
/// <param name="EarlierCheckpoints">Checkpoints of earlier attempts of the trial, newest first: resumed from
/// when <paramref name="CheckpointPath"/> has none that verifies (CheckpointFile.EarlierAttempts).</param>
/// <param name="StoredReports">How many of this run's reports (observer calls other than OnResumed, in order) the store holds
/// durably, asked when a checkpoint is written: those are left out of it. Null: none known, a checkpoint carries every report.</param>
public sealed record TrainerOptions(string? Device = null, int EvalBatchSize = 4096, string? FinalWeightsPath = null, string? CheckpointPath = null,
    Func<int>? StoredReports = null, IReadOnlyList<string>? EarlierCheckpoints = null)
{
    public static readonly TrainerOptions Default = new();

    /// <summary>
    /// Called after every update with the updates taken so far, before the release is checked: how a
    /// test or a benchmark releases a trial at a step of its choosing (a node's release comes at any step).
    /// </summary>
    internal Action<long>? AfterStep { get; init; }
}
