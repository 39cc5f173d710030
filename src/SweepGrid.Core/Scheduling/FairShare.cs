namespace SweepGrid.Core.Scheduling;

/// <summary>What the director knows of one open sweep when a slot is free.</summary>
/// <param name="Priority">Its weight (sweep.priority, 1 to 1000).</param>
/// <param name="Running">Its trials running now, counting slots already sent to it whose trial has not started.</param>
/// <param name="Pending">Its trials waiting for a slot, less those slots.</param>
public sealed record SweepLoad(string Name, int Priority, int Running, int Pending);

/// <summary>
/// Which open sweep a free slot goes to, so that the sweeps with work hold slots in proportion to their
/// priorities: weighted fair sharing decided at each free slot, never by pre-empting a running trial
/// (the policy of Hadoop's Fair Scheduler and of Slurm's fair-share factor, applied per slot). The slot goes
/// to the sweep with the fewest running trials per unit of priority among those with pending trials, the
/// older sweep on a tie. A sweep with nothing pending is passed over, so its share is lent to the others,
/// and it gets the next free slots back as their trials end; a sweep submitted while another holds every
/// slot takes the first slot that frees. With trials of equal length the starts divide as the priorities.
/// </summary>
public static class FairShare
{
    /// <param name="sweeps">The open sweeps, oldest first.</param>
    /// <returns>The sweep the slot goes to; null when no sweep has a pending trial.</returns>
    public static string? Next(IReadOnlyList<SweepLoad> sweeps)
    {
        SweepLoad? best = null;
        foreach (var sweep in sweeps)
        {
            if (sweep.Pending <= 0) continue;
            if (best is null || Below(sweep, best)) best = sweep;
        }

        return best?.Name;
    }

    /// <summary>a.Running / a.Priority &lt; b.Running / b.Priority, in integers (no rounding decides a tie).</summary>
    private static bool Below(SweepLoad a, SweepLoad b) =>
        (long)a.Running * Math.Max(1, b.Priority) < (long)b.Running * Math.Max(1, a.Priority);
}
