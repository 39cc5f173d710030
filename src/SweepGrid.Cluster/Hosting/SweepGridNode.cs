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
/// A cluster member started by `sweepgrid node` (or `submit`, as a client), or `run`'s one-node cluster
/// (<see cref="StartLocalAsync"/>): roles, address and seed nodes from <see cref="NodeOptions"/>. A
/// coordinator-role node runs the director's singleton manager; a worker-role node runs its slots, which
/// ask the director (through the singleton proxy) for work. The one way a sweep is hosted.
/// </summary>
public sealed class SweepGridNode : IAsyncDisposable
{
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
    /// <param name="Local">
    /// `run`'s node: a cluster of one on loopback (any free port, embedded.conf), whose director opens
    /// only the sweeps submitted to it and whose slots stop with it instead of handing their trials back.
    /// </param>
    public sealed record NodeOptions(IReadOnlyList<string> Roles, string Host, int Port, IReadOnlyList<string> Seeds, StoreLocation Store, NodeSlots Slots,
        string? BindHost = null, string? ConfigDir = null, string? HealthFile = null, Func<DatasetSpec, DatasetFacts>? ReadDataset = null,
        ClusterTls? Tls = null, bool Local = false, Metrics.NodeMetrics? Metrics = null);

    private SweepGridNode(ActorSystem system, ResultsStore results, IActorRef director, int slotCount)
    {
        System = system;
        Results = results;
        Director = director;
        SlotCount = slotCount;
    }

    /// <summary>What this node's slots did with their trials when it shut down (filled during <see cref="DisposeAsync"/>).</summary>
    public IReadOnlyList<string> ReleasedOnShutdown { get; private set; } = [];

    public ActorSystem System { get; }

    public ResultsStore Results { get; }

    /// <summary>The singleton proxy: messages for the director, wherever it runs now.</summary>
    public IActorRef Director { get; }

    /// <summary>How many training slots this node runs (none unless it has the worker role).</summary>
    public int SlotCount { get; }

    /// <summary>`run`'s node: coordinator and worker in one process, a cluster of one on loopback.</summary>
    /// <param name="readDataset">
    /// Reads a sweep's dataset headers, for a sweep submitted as its file; null: this node takes only
    /// definitions checked by its own process (<see cref="LocalSweep"/>), which is all `run` submits.
    /// </param>
    public static Task<SweepGridNode> StartLocalAsync(StoreLocation store, NodeSlots slots, Func<DatasetSpec, DatasetFacts>? readDataset = null,
        Config? overrides = null, CancellationToken ct = default) =>
        StartAsync(new NodeOptions([Roles.Coordinator, Roles.Worker], "127.0.0.1", 0, [], store, slots, ReadDataset: readDataset, Local: true),
            overrides, TimeSpan.FromSeconds(30), ct);

    public static async Task<SweepGridNode> StartAsync(NodeOptions options, Config? overrides = null, TimeSpan? joinTimeout = null, CancellationToken ct = default)
    {
        var store = options.Store;
        Directory.CreateDirectory(store.Directory);
        // One process hosts an embedded store's sweeps; a cluster's coordinators share theirs through the singleton.
        var storeLock = options.Local ? StoreLock.Take(store.Directory) : null;
        try
        {
            return await StartLockedAsync(options, overrides, joinTimeout, storeLock, ct);
        }
        catch
        {
            storeLock?.Dispose();
            throw;
        }
    }

    private static async Task<SweepGridNode> StartLockedAsync(NodeOptions options, Config? overrides, TimeSpan? joinTimeout, StoreLock? storeLock, CancellationToken ct)
    {
        var store = options.Store;
        var results = store.OpenResults();
        results.EnsureSchema();
        store.PrepareJournal();
        var config = options.Local
            ? ConfigurationFactory.ParseString($"akka.cluster.roles = [{string.Join(", ", options.Roles)}]").WithFallback(NodeConfig.Local(store))
            : NodeConfig.Cluster(options, store);
        if (overrides is not null) config = overrides.WithFallback(config);
        var system = options.Tls is { } tls
            ? ActorSystem.Create("sweepgrid", BootstrapSetup.Create().WithConfig(ClusterTls.Hocon.WithFallback(config)).And(tls.Setup))
            : ActorSystem.Create("sweepgrid", config);
        if (storeLock is not null) system.RegisterOnTermination(storeLock.Dispose);
        // Before any actor starts, so that each records to the node's metrics (those served on --metrics-port, if any).
        (options.Metrics ?? new Metrics.NodeMetrics()).Attach(system, results);
        // Whichever writer finds the store full first, the node's slots stop their attempts (StoreOutOfSpace).
        results.RanOutOfSpace += e => system.EventStream.Publish(StoreOutOfSpace.Of(e));
        var patience = joinTimeout ?? TimeSpan.FromSeconds(60);
        try
        {
            // A cluster's member joins the seed nodes from its configuration; `run`'s node joins itself.
            await ClusterLifecycle.WaitUntilUpAsync(system, patience, ct, options.Local ? cluster => cluster.Join(cluster.SelfAddress) : null);
        }
        catch (TimeoutException)
        {
            var through = options.Seeds.Count == 0 ? "itself (as the first seed)" : string.Join(", ", options.Seeds);
            throw new TimeoutException($"could not join the cluster through {through} within {patience.TotalSeconds:F0} s: the seed nodes are not " +
                                       "reachable, or refuse this member (with TLS, every member must present the cluster's certificate: --tls-cert)");
        }

        if (options.Roles.Contains(Roles.Coordinator))
        {
            var readDataset = options.ReadDataset ?? (options.Local ? NoData : throw new ArgumentException("a coordinator node needs ReadDataset", nameof(options)));
            var limits = SweepLimits.From(system.Settings.Config);
            system.ActorOf(ClusterSingletonManager.Props(
                SweepDirectorProtocol.Props(results, spec => SweepDefinition.Create(spec, readDataset(spec.Dataset), limits.MaxTrials), openAll: !options.Local),
                PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                SweepDirectorProtocol.ManagerName);
        }

        var director = system.ActorOf(ClusterSingletonProxy.Props($"/user/{SweepDirectorProtocol.ManagerName}", ClusterSingletonProxySettings.Create(system)),
            SweepDirectorProtocol.ProxyName);
        bool worker = options.Roles.Contains(Roles.Worker);
        var node = new SweepGridNode(system, results, director, worker ? options.Slots.Count : 0) { _storeLock = storeLock };
        if (worker)
        {
            // Only a member of a cluster of processes can be downed by others and wake up superseded.
            var freezes = options.Local ? null : new Core.Slots.FreezeWatch(DowningTime(system.Settings.Config), beatEvery: TimeSpan.FromMilliseconds(250));
            if (freezes is not null) system.RegisterOnTermination(freezes.Dispose);
            var agent = system.ActorOf(NodeAgentProtocol.Props(director, results, options.Slots, freezes), "node");
            // `run` stopped (Ctrl-C) ends its trials with it; they resume from their checkpoints next time.
            if (!options.Local) node.ReleaseTrialsOnShutdown(agent);
        }

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

    /// <summary>
    /// The shortest time after which the rest of the cluster may down a member that stopped answering: it
    /// is unreachable after the failure detector's acceptable pause, and the split-brain resolver downs it
    /// once that has been stable for stable-after (cluster.conf).
    /// </summary>
    public static TimeSpan DowningTime(Config config) =>
        config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3))
        + config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20));

    private static DatasetFacts NoData(DatasetSpec dataset) =>
        throw new SweepValidationException($"dataset {dataset.Name}", [new ValidationError("sweep.dataset", "this node reads no data; run the sweep file with `sweepgrid run`")]);

    /// <summary>The protocol of a member's address: DotNetty's TLS transport answers to akka.ssl.tcp, not akka.tcp.</summary>
    public static string Scheme(ClusterTls? tls) => tls is null ? "akka.tcp" : "akka.ssl.tcp";

    private Task? _shutdown;

    /// <summary>
    /// Releases this node's trials, leaves the cluster gracefully (the singleton hands over if it ran
    /// here), then stops. Only once: later calls wait for the same shutdown.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await (_shutdown ??= ClusterLifecycle.ShutdownAsync(System, CoordinatedShutdown.ClusterLeavingReason.Instance));
        // Here, not only in the actor system's termination callbacks, which may still be running when the
        // shutdown's task completes: the next `run` of this process (or another) must find the store free.
        _storeLock?.Dispose();
    }

    /// <summary>The embedded store's lock, held while this node runs (`run`, `resume`, a control with --store).</summary>
    private StoreLock? _storeLock;
}
