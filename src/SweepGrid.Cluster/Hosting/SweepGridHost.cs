using Akka.Actor;
using Akka.Configuration;
using SweepGrid.Cluster.Results;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// One SweepGrid process in embedded mode: an actor system that forms a single-node cluster on
/// loopback and keeps its journal and result tables in the store folder.
/// </summary>
public sealed class SweepGridHost : IAsyncDisposable
{
    private SweepGridHost(ActorSystem system, ResultsStore results, StoreLocation store)
    {
        System = system;
        Results = results;
        Store = store;
    }

    public ActorSystem System { get; }

    public ResultsStore Results { get; }

    public StoreLocation Store { get; }

    /// <summary>Creates the store folder if needed, starts the actor system and waits until this node is Up.</summary>
    /// <param name="overrides">Settings over the embedded configuration (e.g. akka.loglevel from the CLI's log levels).</param>
    public static async Task<SweepGridHost> StartEmbeddedAsync(
        string storeDirectory, TimeSpan? joinTimeout = null, Config? overrides = null, CancellationToken ct = default)
    {
        var store = new StoreLocation(Path.GetFullPath(storeDirectory));
        Directory.CreateDirectory(store.Directory);
        var results = new ResultsStore(store.Directory);
        results.EnsureSchema();
        var config = EmbeddedConfig(store);
        var system = ActorSystem.Create("sweepgrid", overrides is null ? config : overrides.WithFallback(config));
        await ClusterLifecycle.WaitUntilUpAsync(system, joinTimeout ?? TimeSpan.FromSeconds(30), ct, cluster => cluster.Join(cluster.SelfAddress));
        return new SweepGridHost(system, results, store);
    }

    public static Config EmbeddedConfig(StoreLocation store) =>
        StoreConfig(store)
            .WithFallback(HoconFiles.Parse("embedded.conf"))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf"));

    /// <summary>The journal and snapshot store in the store folder's SQLite file.</summary>
    public static Config StoreConfig(StoreLocation store)
    {
        var connection = store.SqliteConnectionString.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = "{connection}"
            akka.persistence.snapshot-store.sql.connection-string = "{connection}"
            """);
    }

    /// <summary>Stops the actor system (see <see cref="ClusterLifecycle.ShutdownAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await ClusterLifecycle.ShutdownAsync(System, CoordinatedShutdown.ClrExitReason.Instance);
}
