using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SweepGrid.Store.Databases;

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
