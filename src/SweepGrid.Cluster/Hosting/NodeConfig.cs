using Akka.Configuration;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// A node's Akka configuration: the command line's settings over the store's persistence settings over
/// the HOCON files (embedded.conf for `run`'s one-node cluster on loopback, cluster.conf, sweepgrid.conf).
/// </summary>
public static class NodeConfig
{
    /// <summary>`run`'s node: one member on loopback, any free port, the store's SQLite or PostgreSQL journal.</summary>
    public static Config Local(StoreLocation store) =>
        Store(store)
            .WithFallback(HoconFiles.Parse("embedded.conf"))
            .WithFallback(HoconFiles.Parse("cluster.conf"))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf"));

    /// <summary>A member of a cluster of processes (`sweepgrid node`, `submit`): its address, roles and seeds from <paramref name="options"/>.</summary>
    public static Config Cluster(SweepGridNode.NodeOptions options, StoreLocation store)
    {
        var seeds = (options.Seeds.Count == 0 ? [$"{options.Host}:{options.Port}"] : options.Seeds)
            .Select(s => Hocon.Quote($"{SweepGridNode.Scheme(options.Tls)}://sweepgrid@{s}"));
        // With a bind host, Akka listens there and tells other nodes Host (public-hostname).
        var node = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.hostname = {Hocon.Quote(options.BindHost ?? options.Host)}
            akka.remote.dot-netty.tcp.public-hostname = {Hocon.Quote(options.Host)}
            akka.remote.dot-netty.tcp.port = {options.Port}
            akka.cluster.roles = [{string.Join(", ", options.Roles)}]
            akka.cluster.seed-nodes = [{string.Join(", ", seeds)}]
            """);
        return node
            .WithFallback(Store(store))
            .WithFallback(HoconFiles.Parse("cluster.conf", options.ConfigDir))
            .WithFallback(HoconFiles.Parse("sweepgrid.conf", options.ConfigDir));
    }

    /// <summary>
    /// The journal and snapshot store: the store folder's SQLite file, or the PostgreSQL database
    /// (provider PostgreSQL.15, the newest dialect Akka.Persistence.Sql 1.5.73 knows). The connection
    /// string is only ever in memory, never in a configuration file.
    /// </summary>
    public static Config Store(StoreLocation store)
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
}
