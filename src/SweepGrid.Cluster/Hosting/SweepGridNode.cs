using Akka;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Store;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Sweeps;

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

    /// <param name="Host">The name other nodes reach this one at (its address in the cluster).</param>
    /// <param name="Seeds">host:port of the seed nodes; empty means this node is the first seed.</param>
    /// <param name="BindHost">The interface to listen on when it differs from <paramref name="Host"/> (0.0.0.0 in a container); null: Host.</param>
    /// <param name="ConfigDir">A folder with sweepgrid.conf and cluster.conf to use instead of the built-in ones (a mounted ConfigMap); null: built-in.</param>
    /// <param name="HealthFile">Where to write this node's <see cref="Health.NodeHealth"/>; null: nowhere.</param>
    /// <param name="ReadDataset">
    /// On a coordinator node: reads a submitted sweep's dataset headers, as the workers will see it,
    /// throwing <see cref="SweepValidationException"/> when they are unusable. Null on other nodes.
    /// </param>
    /// <param name="Tls">The cluster's certificate: remoting over mutual TLS with it (<see cref="ClusterTls"/>); null: plain TCP.</param>
    public sealed record NodeOptions(IReadOnlyList<string> Roles, string Host, int Port, IReadOnlyList<string> Seeds, StoreLocation Store, NodeSlots Slots,
        string? BindHost = null, string? ConfigDir = null, string? HealthFile = null, Func<DatasetSpec, DatasetFacts>? ReadDataset = null,
        ClusterTls? Tls = null);

    private SweepGridNode(ActorSystem system, ResultsStore results, IActorRef director)
    {
        System = system;
        Results = results;
        Director = director;
    }

    /// <summary>What this node's slots did with their trials when it shut down (filled during <see cref="DisposeAsync"/>).</summary>
    public IReadOnlyList<string> ReleasedOnShutdown { get; private set; } = [];

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
        if (overrides is not null) config = overrides.WithFallback(config);
        var system = options.Tls is { } tls
            ? ActorSystem.Create("sweepgrid", BootstrapSetup.Create().WithConfig(ClusterTls.Hocon.WithFallback(config)).And(tls.Setup))
            : ActorSystem.Create("sweepgrid", config);
        var patience = joinTimeout ?? TimeSpan.FromSeconds(60);
        try
        {
            await ClusterLifecycle.WaitUntilUpAsync(system, patience, ct); // joins the seed nodes from config
        }
        catch (TimeoutException)
        {
            var through = options.Seeds.Count == 0 ? "itself (as the first seed)" : string.Join(", ", options.Seeds);
            throw new TimeoutException($"could not join the cluster through {through} within {patience.TotalSeconds:F0} s: the seed nodes are not " +
                                       "reachable, or refuse this member (with TLS, every member must present the cluster's certificate: --tls-cert)");
        }

        if (options.Roles.Contains(Roles.Coordinator))
        {
            var readDataset = options.ReadDataset ?? throw new ArgumentException("a coordinator node needs ReadDataset", nameof(options));
            var limits = SweepLimits.From(system.Settings.Config);
            system.ActorOf(ClusterSingletonManager.Props(
                SweepDirectorProtocol.Props(results, spec => SweepDefinition.Create(spec, readDataset(spec.Dataset), limits.MaxTrials)),
                PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                SweepDirectorProtocol.ManagerName);
        }

        var director = system.ActorOf(ClusterSingletonProxy.Props($"/user/{SweepDirectorProtocol.ManagerName}", ClusterSingletonProxySettings.Create(system)),
            SweepDirectorProtocol.ProxyName);
        var node = new SweepGridNode(system, results, director);
        if (options.Roles.Contains(Roles.Worker)) node.ReleaseTrialsOnShutdown(system.ActorOf(NodeAgentProtocol.Props(director, results, options.Slots), "node"));
        if (options.HealthFile is { } health) system.ActorOf(Health.HealthReporter.Props(health, results), "health");
        return node;
    }

    /// <summary>
    /// Before the node leaves the cluster, its slots hand back their trials (checkpointed at the end of
    /// their epoch) and the coordinator re-queues them without counting failures. Not when the cluster
    /// has downed this node: nobody is left to hand them to, and the coordinator has counted them lost.
    /// </summary>
    private void ReleaseTrialsOnShutdown(IActorRef agent)
    {
        var shutdown = CoordinatedShutdown.Get(System);
        var settings = ShutdownSettings.From(System.Settings.Config);
        shutdown.AddTask(ShutdownSettings.Phase, "release-trials", async () =>
        {
            if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason) return Done.Instance;
            var released = await agent.Ask<NodeAgentProtocol.TrialsReleased>(NodeAgentProtocol.ReleaseTrials.Instance, settings.PhaseTimeout);
            ReleasedOnShutdown = released.Notes;
            return Done.Instance;
        });
    }

    public static Config Config(NodeOptions options, StoreLocation store)
    {
        var seeds = (options.Seeds.Count == 0 ? [$"{options.Host}:{options.Port}"] : options.Seeds)
            .Select(s => Hocon.Quote($"{Scheme(options.Tls)}://sweepgrid@{s}"));
        // With a bind host, Akka listens there and tells other nodes Host (public-hostname).
        var node = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.hostname = {Hocon.Quote(options.BindHost ?? options.Host)}
            akka.remote.dot-netty.tcp.public-hostname = {Hocon.Quote(options.Host)}
            akka.remote.dot-netty.tcp.port = {options.Port}
            akka.cluster.roles = [{string.Join(", ", options.Roles)}]
            akka.cluster.seed-nodes = [{string.Join(", ", seeds)}]
            """);
        return node
            .WithFallback(SweepGridHost.StoreConfig(store))
            .WithFallback(HoconFiles.Parse("cluster.conf", options.ConfigDir))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf", options.ConfigDir));
    }

    /// <summary>The protocol of a member's address: DotNetty's TLS transport answers to akka.ssl.tcp, not akka.tcp.</summary>
    public static string Scheme(ClusterTls? tls) => tls is null ? "akka.tcp" : "akka.ssl.tcp";

    private Task? _shutdown;

    /// <summary>
    /// Releases this node's trials, leaves the cluster gracefully (the singleton hands over if it ran
    /// here), then stops. Only once: later calls wait for the same shutdown.
    /// </summary>
    public async ValueTask DisposeAsync() =>
        await (_shutdown ??= ClusterLifecycle.ShutdownAsync(System, CoordinatedShutdown.ClusterLeavingReason.Instance));
}
