namespace SweepGrid.Cluster;

/// <summary>
/// Every persistence id SweepGrid journals under, in one place. The three spaces cannot meet: a
/// sweep's id starts "sweep-", a trial's "trial-", and the director's is "director", which neither
/// prefix can produce (sweep names are letters, digits, '.', '_' and '-'). Before 2026-12 the director
/// journaled as "sweep-director", so a sweep named "director" shared its journal and broke it.
/// </summary>
public static class PersistenceIds
{
    public const string Director = "director";

    public static string Sweep(string sweepName) => $"sweep-{sweepName}";

    public static string Trial(string sweepName, string trialId) => $"trial-{sweepName}-{trialId}";
}
