using SweepGrid.Store;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// `sweepgrid status [sweep]`: the sweeps in a store with their trials by status; for one sweep also
/// the running trials with their slot and the failed ones with their reason. Read from the result
/// tables, so it works while a sweep runs in another process, and after one stopped.
/// </summary>
internal static class StatusCommand
{
    private static readonly string[] Statuses = ["pending", "running", "completed", "diverged", "failed"];

    public static int Run(string storeDirectory, string? sweep, TextWriter output)
    {
        var store = Stores.ReadOnly(storeDirectory);
        if (sweep is not null) Exporter.RequireSweep(store, sweep);
        var sweeps = store.Read.StatusCounts(sweep);
        if (sweeps.Count == 0)
        {
            output.WriteLine($"no sweeps in store {Path.GetFullPath(storeDirectory)}");
            return ExitCodes.Success;
        }

        int width = Math.Max(5, sweeps.Max(s => s.Sweep.Length));
        output.WriteLine($"{"sweep".PadRight(width)}  {string.Join("  ", Statuses.Select(s => s.PadLeft(9)))}  submitted");
        foreach (var (name, submitted, counts) in sweeps)
        {
            output.WriteLine($"{name.PadRight(width)}  {string.Join("  ", Statuses.Select(s => counts.GetValueOrDefault(s).ToString().PadLeft(9)))}  {submitted}");
        }

        if (sweep is null) return ExitCodes.Success;
        var trials = store.Read.Trials(sweep);
        foreach (var (status, title, detail) in new (string, string, Func<TrialRow, string?>)[] { ("running", "running", t => t.Slot), ("failed", "failed", t => t.Reason) })
        {
            var selected = trials.Where(t => t.Status == status).ToList();
            if (selected.Count == 0) continue;
            output.WriteLine();
            output.WriteLine($"{title}:");
            foreach (var t in selected) output.WriteLine($"  {t.Trial}  attempt {t.Attempts}  {detail(t)}");
        }

        if (trials.Any(t => t.Status == "running"))
        {
            output.WriteLine();
            output.WriteLine("(as last recorded: if the process running this sweep has stopped, these trials run again when it is run again)");
        }

        return ExitCodes.Success;
    }
}
