using Akka.Actor;
using Akka.Configuration;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// How a cluster node shuts down (sweepgrid.conf, <c>sweepgrid.shutdown</c>): its running trials get
/// <see cref="CheckpointWithin"/> to finish their step and checkpoint it, in the coordinated-shutdown
/// phase <see cref="Phase"/>, whose own timeout must leave room to store their last reports and
/// journal the release after that.
/// </summary>
public sealed record ShutdownSettings(TimeSpan CheckpointWithin, TimeSpan PhaseTimeout)
{
    public const string Section = "sweepgrid.shutdown";

    /// <summary>Before the node leaves the cluster: remoting and the singleton proxy still work.</summary>
    public const string Phase = CoordinatedShutdown.PhaseServiceRequestsDone;

    /// <summary>Storing the last reports and journaling the release, after the checkpoint.</summary>
    public static readonly TimeSpan ReleaseMargin = TimeSpan.FromSeconds(20);

    public static ShutdownSettings From(Config config)
    {
        var within = Required(config, $"{Section}.checkpoint-within");
        var phase = Required(config, $"akka.coordinated-shutdown.phases.{Phase}.timeout");
        if (within <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{Section}.checkpoint-within: must be a positive duration, got {within}");
        }

        if (phase < within + ReleaseMargin)
        {
            throw new ConfigurationException(
                $"akka.coordinated-shutdown.phases.{Phase}.timeout: must be at least {Section}.checkpoint-within + {ReleaseMargin.TotalSeconds:F0}s " +
                $"({(within + ReleaseMargin).TotalSeconds:F0}s), got {phase.TotalSeconds:F0}s");
        }

        return new ShutdownSettings(within, phase);
    }

    private static TimeSpan Required(Config config, string path) => config.HasPath(path)
        ? config.GetTimeSpan(path, null, allowInfinite: false)
        : throw new ConfigurationException($"{path}: missing (hocon/sweepgrid.conf sets it; a configuration folder must too)");
}
