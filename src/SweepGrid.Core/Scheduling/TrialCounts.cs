using SweepGrid.Core.Results;

namespace SweepGrid.Core.Scheduling;

/// <summary>How many of a sweep's trials stand in each status: what followers are shown instead of every trial.</summary>
/// <param name="Cancelled">Trials of a cancelled sweep that had no result (0 in the counts of a SweepGrid from before cancel).</param>
public sealed record TrialCounts(int Pending, int Running, int Completed, int Diverged, int Failed, int Cancelled = 0)
{
    public static readonly TrialCounts Zero = new(0, 0, 0, 0, 0);

    public int Total => Pending + Running + Settled;

    /// <summary>Trials with a result (completed or diverged), given up (failed) or cancelled.</summary>
    public int Settled => Completed + Diverged + Failed + Cancelled;

    public int Of(TrialStatus status) => status switch
    {
        TrialStatus.Pending => Pending,
        TrialStatus.Running => Running,
        TrialStatus.Completed => Completed,
        TrialStatus.Diverged => Diverged,
        TrialStatus.Failed => Failed,
        TrialStatus.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The counts after <paramref name="n"/> trials went from <paramref name="from"/> (null: new) to <paramref name="to"/>.</summary>
    public TrialCounts Moved(TrialStatus? from, TrialStatus to, int n = 1)
    {
        var counts = from is { } old ? Add(this, old, -n) : this;
        return Add(counts, to, n);
    }

    private static TrialCounts Add(TrialCounts c, TrialStatus status, int n) => status switch
    {
        TrialStatus.Pending => c with { Pending = c.Pending + n },
        TrialStatus.Running => c with { Running = c.Running + n },
        TrialStatus.Completed => c with { Completed = c.Completed + n },
        TrialStatus.Diverged => c with { Diverged = c.Diverged + n },
        TrialStatus.Failed => c with { Failed = c.Failed + n },
        TrialStatus.Cancelled => c with { Cancelled = c.Cancelled + n },
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
