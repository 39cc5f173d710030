namespace SweepGrid.Core.Recording;

/// <summary>What a trial's recorder does with a report of some attempt.</summary>
public abstract record FenceVerdict
{
    public sealed record Accept : FenceVerdict;

    /// <summary>The report's attempt was superseded by <see cref="By"/>: refused, and its sender told to stop.</summary>
    public sealed record Refuse(int Attempt, int By) : FenceVerdict
    {
        public string Reason => $"attempt {Attempt} was superseded by attempt {By}";
    }
}

/// <summary>
/// The fencing token of a trial's results: its attempt number, which the coordinator journals with each
/// assignment. A node frozen past the downing time (a long GC pause, a frozen VM, a partition that heals)
/// wakes up with an attempt the cluster has since given to another slot; whatever it still reports must
/// not land over the newer attempt's results. The recorder keeps the highest attempt it has accepted
/// (from its journal, so a restarted recorder knows it) and the highest it knows to be assigned (from the
/// store, which refuses a superseded attempt's write, or from the first report of a newer attempt), and
/// refuses every report of a lower attempt. Pure: the recorder owns the journal and the store.
/// </summary>
/// <param name="HighestAccepted">The highest attempt whose report was journaled.</param>
/// <param name="HighestAssigned">The highest attempt known to have been assigned (0: none known beyond the accepted).</param>
public sealed record AttemptFence(int HighestAccepted, int HighestAssigned)
{
    public static readonly AttemptFence Open = new(0, 0);

    /// <summary>The attempt below which every report is refused.</summary>
    public int Current => Math.Max(HighestAccepted, HighestAssigned);

    public FenceVerdict Decide(int attempt) => attempt < Current ? new FenceVerdict.Refuse(attempt, Current) : new FenceVerdict.Accept();

    /// <summary>A report of <paramref name="attempt"/> was journaled (or replayed from the journal).</summary>
    public AttemptFence Accepted(int attempt) => attempt > HighestAccepted ? this with { HighestAccepted = attempt } : this;

    /// <summary>The store says <paramref name="attempt"/> was assigned (its write of an older attempt was refused).</summary>
    public AttemptFence Assigned(int attempt) => attempt > HighestAssigned ? this with { HighestAssigned = attempt } : this;
}
