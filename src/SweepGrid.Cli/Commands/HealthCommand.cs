using SweepGrid.Cluster.Health;

namespace SweepGrid.Cli.Commands;

/// <summary>`sweepgrid health`: reads the health file of a node on this machine and judges it (<see cref="HealthVerdict"/>).</summary>
internal static class HealthCommand
{
    public static int Run(string path, bool live, int maxAgeSeconds, TextWriter output)
    {
        if (maxAgeSeconds < 1) throw new UserError($"--max-age: must be at least 1 (seconds), got {maxAgeSeconds}");
        NodeHealth? health;
        try
        {
            health = NodeHealth.Read(path);
        }
        catch (InvalidDataException e)
        {
            output.WriteLine($"unhealthy: {e.Message}");
            return ExitCodes.Failure;
        }

        var verdict = HealthVerdict.Judge(health, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(maxAgeSeconds), live);
        output.WriteLine(verdict.Healthy ? $"healthy: {verdict.Reason}" : $"unhealthy: {verdict.Reason} ({path})");
        return verdict.Healthy ? ExitCodes.Success : ExitCodes.Failure;
    }
}
