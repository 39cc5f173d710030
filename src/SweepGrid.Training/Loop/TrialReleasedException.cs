namespace SweepGrid.Training.Loop;

/// <summary>
/// The trial stopped at the end of an epoch because its slot asked it to (the node is shutting down),
/// not because anything went wrong: it resumes elsewhere from the checkpoint written at that epoch.
/// </summary>
public sealed class TrialReleasedException(string trialId, int epoch, bool checkpointed)
    : OperationCanceledException($"trial {trialId} released after epoch {epoch}" + (checkpointed ? ", checkpointed" : ", without a checkpoint path"))
{
    public string TrialId { get; } = trialId;

    /// <summary>The last epoch it finished (and checkpointed, if <see cref="Checkpointed"/>).</summary>
    public int Epoch { get; } = epoch;

    public bool Checkpointed { get; } = checkpointed;
}
