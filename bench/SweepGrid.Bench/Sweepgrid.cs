using SweepGrid.Cluster.Workers;

namespace SweepGrid.Bench;

/// <summary>The sweepgrid executable built next to the bench (a project reference), as the benches start it.</summary>
internal static class Sweepgrid
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "sweepgrid");

    /// <summary>A worker process of one thread running <paramref name="trialRunner"/> (torch, noop, noop:SECONDS).</summary>
    public static WorkerCommand Worker(string trialRunner) => new(Executable, ["worker", "--threads", "1", "--trial-runner", trialRunner]);
}
