using Akka.Actor;
using Akka.Configuration;
using SweepGrid.Store;

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
        StoreLocation store, TimeSpan? joinTimeout = null, Config? overrides = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(store.Directory);
        var results = store.OpenResults();
        results.EnsureSchema();
        store.PrepareJournal();
        var config = EmbeddedConfig(store);
        var system = ActorSystem.Create("sweepgrid", overrides is null ? config : overrides.WithFallback(config));
        await ClusterLifecycle.WaitUntilUpAsync(system, joinTimeout ?? TimeSpan.FromSeconds(30), ct, cluster => cluster.Join(cluster.SelfAddress));
        return new SweepGridHost(system, results, store);
    }

    /// <summary>The embedded store in <paramref name="storeDirectory"/> (SQLite unless the environment names PostgreSQL).</summary>
    public static Task<SweepGridHost> StartEmbeddedAsync(
        string storeDirectory, TimeSpan? joinTimeout = null, Config? overrides = null, CancellationToken ct = default) =>
        StartEmbeddedAsync(StoreLocation.FromEnvironment(storeDirectory), joinTimeout, overrides, ct);

    public static Config EmbeddedConfig(StoreLocation store) =>
        StoreConfig(store)
            .WithFallback(HoconFiles.Parse("embedded.conf"))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf"));

    /// <summary>
    /// The journal and snapshot store: the store folder's SQLite file, or the PostgreSQL database
    /// (provider PostgreSQL.15, the newest dialect Akka.Persistence.Sql 1.5.73 knows). The connection
    /// string is only ever in memory, never in a configuration file.
    /// </summary>
    public static Config StoreConfig(StoreLocation store)
    {
        if (store.PostgresConnectionString is { } postgres)
        {
            return ConfigurationFactory.ParseString($$"""
                akka.persistence.journal.sql {
                  provider-name = "PostgreSQL.15"
                  connection-string = {{Hocon.Quote(postgres)}}
                  # A server takes concurrent writers, unlike SQLite's single-writer file.
                  parallelism = 4
                }
                akka.persistence.snapshot-store.sql {
                  provider-name = "PostgreSQL.15"
                  connection-string = {{Hocon.Quote(postgres)}}
                }
                """);
        }

        // Reads (every recovery) in deferred transactions: Microsoft.Data.Sqlite begins the default
        // (serializable) ones IMMEDIATE, taking the write lock, so 16 recorders recovering beside the
        // journal's writer kept finding the file busy and sleeping (bench/results/dispatch.md).
        // read-uncommitted is what gives a plain BEGIN; without shared cache it reads committed data.
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = {Hocon.Quote(store.SqliteConnectionString)}
            akka.persistence.journal.sql.read-isolation-level = read-uncommitted
            akka.persistence.snapshot-store.sql.connection-string = {Hocon.Quote(store.SqliteConnectionString)}
            akka.persistence.snapshot-store.sql.read-isolation-level = read-uncommitted
            """);
    }

    /// <summary>Stops the actor system (see <see cref="ClusterLifecycle.ShutdownAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await ClusterLifecycle.ShutdownAsync(System, CoordinatedShutdown.ClrExitReason.Instance);
}
