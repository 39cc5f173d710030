using Akka.Configuration;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// How large a sweep this cluster (or `run`) accepts (sweepgrid.conf, <c>sweepgrid.sweeps</c>):
/// <see cref="MaxTrials"/> grid cells, checked before anything is expanded or written.
/// </summary>
public sealed record SweepLimits(long MaxTrials)
{
    public const string MaxTrialsPath = "sweepgrid.sweeps.max-trials";

    public static readonly SweepLimits Default = new(SweepDefinition.DefaultMaxTrials);

    public static SweepLimits From(Config config)
    {
        if (!config.HasPath(MaxTrialsPath)) return Default;
        long max;
        try
        {
            max = config.GetLong(MaxTrialsPath);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new ConfigurationException($"{MaxTrialsPath}: must be a whole number, got \"{config.GetString(MaxTrialsPath)}\"");
        }

        return max >= 1 ? new SweepLimits(max) : throw new ConfigurationException($"{MaxTrialsPath}: must be at least 1, got {max}");
    }
}
