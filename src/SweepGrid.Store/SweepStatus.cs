using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;

namespace SweepGrid.Store;

/// <summary>
/// One sweep as the result tables hold it: what `status` and the dashboard show. Its counts by status,
/// whether it is open, paused or cancelled, and its priority (null: the store has none recorded, a sweep
/// never re-prioritised since the column was added; its file's sweep.priority then applies).
/// </summary>
public sealed record SweepStatus(string Sweep, string SubmittedAt, string Standing, int? Priority, IReadOnlyDictionary<string, int> Counts)
{
    /// <summary>Every trial status, as stored, in the order tables show them.</summary>
    public static readonly IReadOnlyList<string> Statuses = Enum.GetValues<TrialStatus>().Select(ResultsWriter.StatusName).ToList();

    /// <summary>The standings as stored.</summary>
    public static readonly IReadOnlyList<string> Standings = Enum.GetValues<SweepStanding>().Select(ResultsWriter.StandingName).ToList();

    public int Count(TrialStatus status) => Counts.GetValueOrDefault(ResultsWriter.StatusName(status));

    public int Total => Counts.Values.Sum();

    /// <summary>Trials with a result, failed or cancelled.</summary>
    public int Done => Total - Count(TrialStatus.Pending) - Count(TrialStatus.Running);

    /// <summary>
    /// The share of the cluster's running trials that this sweep holds, among <paramref name="all"/>
    /// (what fair share divides by priority); null when nothing runs anywhere.
    /// </summary>
    public double? ShareOf(IEnumerable<SweepStatus> all)
    {
        int running = all.Sum(s => s.Count(TrialStatus.Running));
        return running == 0 ? null : (double)Count(TrialStatus.Running) / running;
    }
}
