using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace SweepGrid.Store.Databases;

/// <summary>A cluster's store: the result tables in a PostgreSQL database, next to the Akka journal.</summary>
public sealed class PostgresResultsDatabase : ResultsDatabase
{
    private readonly NpgsqlDataSource _source;

    /// <param name="connectionString">An Npgsql connection string, password included if the server needs one.</param>
    /// <param name="readOnly">Every transaction read-only (PostgreSQL's default_transaction_read_only).</param>
    public PostgresResultsDatabase(string connectionString, bool readOnly = false)
    {
        ReadOnly = readOnly;
        _source = NpgsqlDataSource.Create(readOnly
            ? new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c default_transaction_read_only=on" }.ConnectionString
            : connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Describe = $"PostgreSQL database {builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}";
    }

    public override string Describe { get; }

    public override string ForUpdate => " FOR UPDATE";

    /// <summary>16 parameters a row: 8,000 a statement, far below PostgreSQL's 65,535.</summary>
    public override int RowsPerInsert => 500;

    public override bool Exists
    {
        get
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT to_regclass('sweeps') IS NOT NULL;";
            return command.ExecuteScalar() is true;
        }
    }

    public override DbConnection Open() => _source.OpenConnection();

    /// <summary>
    /// Several nodes start at once and each checks the schema: PostgreSQL's CREATE TABLE IF NOT EXISTS
    /// is not safe against a concurrent identical one (a unique violation in pg_type), so the check
    /// holds a session advisory lock. Released explicitly: a pooled connection's session outlives its use.
    /// </summary>
    public override IDisposable SchemaLock(DbConnection connection)
    {
        Sql.Execute(connection, $"SELECT pg_advisory_lock({SchemaLockKey});");
        return new Sql.Release(() => Sql.Execute(connection, $"SELECT pg_advisory_unlock({SchemaLockKey});"));
    }

    /// <summary>An arbitrary key, the same in every SweepGrid process.</summary>
    private const long SchemaLockKey = 0x5357_4752_4944; // "SWGRID"

    public override IReadOnlySet<string> Columns(DbConnection connection, string table)
    {
        using var command = Sql.Command(connection,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table;",
            parameters: ("table", table));
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    public override bool IsTransient(Exception error) => error switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        _ => error.InnerException is { } inner && IsTransient(inner),
    };
}
