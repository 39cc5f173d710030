using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SweepGrid.Cluster.Results;

/// <summary>
/// Where the result tables live and what differs between the two databases SweepGrid writes them to.
/// The SQL itself is shared: named parameters (@name), ON CONFLICT upserts, DOUBLE PRECISION and
/// BIGINT columns mean the same in SQLite (3.24+) and PostgreSQL.
/// </summary>
public abstract class ResultsDatabase
{
    /// <summary>How the store is named in messages to the user (never with a password).</summary>
    public abstract string Describe { get; }

    /// <summary>
    /// Opened for reading only (`status`, `export`, `summary`, `report`): the database refuses every
    /// write, so a command pointed at the wrong file cannot add SweepGrid's tables to it.
    /// </summary>
    public bool ReadOnly { get; protected init; }

    /// <summary>Whether the result tables have been created here.</summary>
    public abstract bool Exists { get; }

    public abstract DbConnection Open();

    /// <summary>
    /// Rows per INSERT when many are written at once (<see cref="Sql.InsertRows"/>). A multi-row INSERT
    /// saves PostgreSQL a round trip a row; SQLite has no round trips but looks each named parameter
    /// up by a scan of the statement's parameters, so its many-row INSERTs cost the square of their
    /// size (10,000 trials in rows of 500 took 15 s; one row at a time on a reused command, 0.3 s).
    /// </summary>
    public abstract int RowsPerInsert { get; }

    /// <summary>Held around every statement unit by this process's writers, or null where the database needs none.</summary>
    public virtual object? Gate => null;

    /// <summary>Taken around the schema check (CREATE TABLE ..., added columns); disposing it releases it.</summary>
    public abstract IDisposable SchemaLock(DbConnection connection);

    /// <summary>The column names of a table, to add the ones a store written by an earlier version lacks.</summary>
    public abstract IReadOnlySet<string> Columns(DbConnection connection, string table);

    /// <summary>
    /// Whether a failed statement may succeed if tried again: the server is down or restarting, a
    /// connection broke, SQLite's file is locked by another writer.
    /// </summary>
    public abstract bool IsTransient(Exception error);
}

/// <summary>The embedded store: results.db in the store folder.</summary>
public sealed class SqliteResultsDatabase : ResultsDatabase
{
    private readonly string _connectionString;

    public SqliteResultsDatabase(string path, bool readOnly = false)
    {
        Path = path;
        ReadOnly = readOnly;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            DefaultTimeout = 30,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        }.ToString();
        Gate = Gates.GetOrAdd(System.IO.Path.GetFullPath(path), _ => new object());
    }

    public string Path { get; }

    public override int RowsPerInsert => 1;

    public override string Describe => $"store {System.IO.Path.GetDirectoryName(Path)}";

    public override bool Exists => File.Exists(Path);

    /// <summary>
    /// One per file in the process. SQLite lets one writer in at a time, and one that finds the file
    /// locked sleeps before it tries again (Microsoft.Data.Sqlite: up to 150 ms a try), so 16 slots'
    /// recorders writing at once spent more time asleep than writing. Taking turns here costs nothing:
    /// SQLite would serialize them anyway.
    /// </summary>
    public override object? Gate { get; }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> Gates = new();

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// No lock is needed (SQLite serializes writers itself); this is where the file is switched to WAL,
    /// so that readers (status, report) never block the writers of a running sweep.
    /// </summary>
    public override IDisposable SchemaLock(DbConnection connection)
    {
        Sql.Execute(connection, "PRAGMA journal_mode = WAL;");
        return Sql.Nothing;
    }

    public override IReadOnlySet<string> Columns(DbConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA table_info({table});";
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>();
        while (reader.Read()) names.Add(reader.GetString(1));
        return names;
    }

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another process holds the file's write lock for longer
    // than the 30 s busy timeout.
    public override bool IsTransient(Exception error) => error is SqliteException { SqliteErrorCode: 5 or 6 };
}

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

/// <summary>Small ADO.NET helpers shared by the databases and the store.</summary>
internal static class Sql
{
    public static readonly IDisposable Nothing = new Release(() => { });

    public static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        command.ExecuteNonQuery();
    }

    /// <summary>A command with named parameters (written @name in the SQL, given here without the @).</summary>
    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> (values in the order of <paramref name="columns"/>) in statements
    /// of <paramref name="rowsPerStatement"/> rows, each command built once and reused with new values.
    /// </summary>
    /// <param name="suffix">SQL after the VALUES list, e.g. an ON CONFLICT clause.</param>
    public static void InsertRows(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, string suffix,
        IEnumerable<object?[]> rows, int rowsPerStatement)
    {
        DbCommand? full = null;
        var prepared = new HashSet<DbCommand>();
        var batch = new List<object?[]>(rowsPerStatement);
        try
        {
            foreach (var row in rows)
            {
                batch.Add(row);
                if (batch.Count < rowsPerStatement) continue;
                Run(full ??= Insert(batch.Count), batch);
                batch.Clear();
            }

            if (batch.Count == 0) return;
            using var last = Insert(batch.Count);
            Run(last, batch);
        }
        finally
        {
            full?.Dispose();
        }

        DbCommand Insert(int count)
        {
            var values = string.Join(",", Enumerable.Range(0, count).Select(r => $"({string.Join(",", columns.Select((_, c) => $"@p{r}_{c}"))})"));
            var command = Command(connection, $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {values} {suffix};", transaction,
                [.. Enumerable.Range(0, count).SelectMany(r => columns.Select((_, c) => ($"p{r}_{c}", (object?)null)))]);
            return command;
        }

        void Run(DbCommand command, List<object?[]> values)
        {
            for (int r = 0; r < values.Count; r++)
            {
                for (int c = 0; c < columns.Count; c++) command.Parameters[r * columns.Count + c].Value = values[r][c] ?? DBNull.Value;
            }

            // Parsed once, not once a batch (a 500-row statement is 70 KB of SQL), with the types of the first values.
            if (prepared.Add(command)) command.Prepare();
            command.ExecuteNonQuery();
        }
    }

    public sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
