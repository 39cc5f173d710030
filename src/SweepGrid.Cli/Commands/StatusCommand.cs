using System.Globalization;
using SweepGrid.Store;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// `sweepgrid status [sweep]`: the sweeps in a store with their state (open, paused, cancelled), priority,
/// share of the running trials and trials by status; for one sweep also
/// the running trials with their slot and the failed ones with their reason. Read from the result
/// tables, so it works while a sweep runs in another process, and after one stopped.
/// </summary>
internal static class StatusCommand
{
    public static int Run(string storeDirectory, string? sweep, TextWriter output)
    {
        var store = Stores.ReadOnly(storeDirectory);
        if (sweep is not null) Exporter.RequireSweep(store, sweep);
        var all = store.Read.StatusCounts(null);
        var sweeps = sweep is null ? all : all.Where(s => s.Sweep == sweep).ToList();
        if (sweeps.Count == 0)
        {
            output.WriteLine($"no sweeps in store {Path.GetFullPath(storeDirectory)}");
            return ExitCodes.Success;
        }

        int width = Math.Max(5, sweeps.Max(s => s.Sweep.Length));
        var statuses = SweepStatus.Statuses;
        output.WriteLine($"{"sweep".PadRight(width)}  {"state",-9}  {"priority",8}  {"share",5}  {string.Join("  ", statuses.Select(s => s.PadLeft(9)))}  submitted");
        foreach (var s in sweeps)
        {
            // The share of the running trials, which fair share divides by priority.
            var share = s.ShareOf(all) is { } fraction ? $"{fraction:P0}" : "-";
            output.WriteLine($"{s.Sweep.PadRight(width)}  {s.Standing,-9}  {s.Priority?.ToString(CultureInfo.InvariantCulture) ?? "-",8}  {share,5}  " +
                             $"{string.Join("  ", statuses.Select(st => s.Counts.GetValueOrDefault(st).ToString(CultureInfo.InvariantCulture).PadLeft(9)))}  {s.SubmittedAt}");
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
