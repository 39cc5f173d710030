namespace SweepGrid.Training.Loop;

/// <summary>
/// The trial stopped because its slot asked it to (the node is shutting down, or its sweep was paused or
/// cancelled), not because anything went wrong: at the step it had reached, or at the end of an epoch
/// when the request came at one, it resumes elsewhere from the checkpoint written there.
/// </summary>
public sealed class TrialReleasedException(string trialId, int epoch, bool checkpointed, long stepInEpoch = 0)
    : OperationCanceledException($"trial {trialId} released after epoch {epoch}" + (stepInEpoch > 0 ? $" and {stepInEpoch} steps of the next" : "")
        + (checkpointed ? ", checkpointed" : ", without a checkpoint path"))
{
    public string TrialId { get; } = trialId;

    /// <summary>The last epoch it finished.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>Steps it took of the epoch after <see cref="Epoch"/> (0: it stopped at that epoch's end).</summary>
    public long StepInEpoch { get; } = stepInEpoch;

    /// <summary>Whether a checkpoint of that point was written.</summary>
    public bool Checkpointed { get; } = checkpointed;
}
