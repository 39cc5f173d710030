using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Results;
using SweepGrid.Cluster.Slots;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// A cluster member started by `sweepgrid node` (or `submit`, as a client): roles, address and seed
/// nodes from <see cref="NodeOptions"/>, cluster.conf over sweepgrid.conf. A coordinator-role node runs
/// the director's singleton manager; a worker-role node runs its slots, which ask the director (through
/// the singleton proxy) for work.
/// </summary>
public sealed class SweepGridNode : IAsyncDisposable
{
    public static readonly string[] KnownRoles = [Roles.Coordinator, Roles.Worker, Roles.Client];

    public static class Roles
    {
        public const string Coordinator = "coordinator", Worker = "worker", Client = "client";
    }

    /// <param name="Seeds">host:port of the seed nodes; empty means this node is the first seed.</param>
    public sealed record NodeOptions(IReadOnlyList<string> Roles, string Host, int Port, IReadOnlyList<string> Seeds, StoreLocation Store, NodeSlots Slots);

    private SweepGridNode(ActorSystem system, ResultsStore results, IActorRef director)
    {
        System = system;
        Results = results;
        Director = director;
    }

    public ActorSystem System { get; }

    public ResultsStore Results { get; }

    /// <summary>The singleton proxy: messages for the director, wherever it runs now.</summary>
    public IActorRef Director { get; }

    public static async Task<SweepGridNode> StartAsync(NodeOptions options, Config? overrides = null, TimeSpan? joinTimeout = null, CancellationToken ct = default)
    {
        var store = options.Store;
        Directory.CreateDirectory(store.Directory);
        var results = store.OpenResults();
        results.EnsureSchema();
        store.PrepareJournal();
        var config = Config(options, store);
        var system = ActorSystem.Create("sweepgrid", overrides is null ? config : overrides.WithFallback(config));
        await ClusterLifecycle.WaitUntilUpAsync(system, joinTimeout ?? TimeSpan.FromSeconds(60), ct); // joins the seed nodes from config

        if (options.Roles.Contains(Roles.Coordinator))
        {
            system.ActorOf(ClusterSingletonManager.Props(
                SweepDirectorProtocol.Props(results), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                SweepDirectorProtocol.ManagerName);
        }

        var director = system.ActorOf(ClusterSingletonProxy.Props($"/user/{SweepDirectorProtocol.ManagerName}", ClusterSingletonProxySettings.Create(system)),
            SweepDirectorProtocol.ProxyName);
        if (options.Roles.Contains(Roles.Worker)) system.ActorOf(NodeAgentProtocol.Props(director, results, options.Slots), "node");
        return new SweepGridNode(system, results, director);
    }

    public static Config Config(NodeOptions options, StoreLocation store)
    {
        var seeds = (options.Seeds.Count == 0 ? [$"{options.Host}:{options.Port}"] : options.Seeds)
            .Select(s => $"\"akka.tcp://sweepgrid@{s}\"");
        var node = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.hostname = "{options.Host}"
            akka.remote.dot-netty.tcp.port = {options.Port}
            akka.cluster.roles = [{string.Join(", ", options.Roles)}]
            akka.cluster.seed-nodes = [{string.Join(", ", seeds)}]
            """);
        return node
            .WithFallback(SweepGridHost.StoreConfig(store))
            .WithFallback(HoconFiles.Parse("cluster.conf"))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf"));
    }

    /// <summary>Leaves the cluster gracefully (the singleton hands over if it ran here), then stops.</summary>
    public async ValueTask DisposeAsync() => await ClusterLifecycle.ShutdownAsync(System, CoordinatedShutdown.ClusterLeavingReason.Instance);
}
