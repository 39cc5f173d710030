using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// A SweepGrid store: the plain, queryable result tables next to the journal (sweeps, trials, epochs,
/// points, flatness, ...), so that export, report and SQL users never decode journal blobs, and the
/// store folder's files (<see cref="Files"/>: checkpoints, final weights, logs). The tables live in
/// SQLite (results.db in the store folder, the embedded default) or in PostgreSQL (a cluster's store);
/// the folder is shared between a cluster's nodes. Writes go through <see cref="Write"/>, reads through
/// <see cref="Read"/>; both wait out a short database outage (<see cref="RetryFor"/>).
/// </summary>
public sealed class ResultsStore
{
    public const string FileName = "results.db";

    private readonly StoreConnection _connection;
    private readonly StoreSchema _schema;

    /// <summary>The embedded store: tables in results.db in <paramref name="storeDirectory"/>.</summary>
    public ResultsStore(string storeDirectory)
        : this(storeDirectory, new SqliteResultsDatabase(Path.Combine(storeDirectory, FileName)))
    {
    }

    public ResultsStore(string storeDirectory, ResultsDatabase database)
    {
        Directory = storeDirectory;
        Database = database;
        _connection = new StoreConnection(database);
        _schema = new StoreSchema(database, _connection);
        Files = new StoreFiles(storeDirectory);
        Read = new ResultsReader(database, _connection, _schema);
        Write = new ResultsWriter(database, _connection);
    }

    /// <summary>The folder of the files: checkpoints, final weights, logs.</summary>
    public string Directory { get; }

    public ResultsDatabase Database { get; }

    public StoreFiles Files { get; }

    public ResultsReader Read { get; }

    public ResultsWriter Write { get; }

    /// <summary>How long a statement that fails transiently is retried before the failure is thrown.</summary>
    public TimeSpan RetryFor
    {
        get => _connection.RetryFor;
        init => _connection.RetryFor = value;
    }

    /// <summary>Raised when a write to the result tables failed for lack of space (<see cref="OutOfSpace"/>), before it throws.</summary>
    public event Action<Exception>? RanOutOfSpace
    {
        add => _connection.RanOutOfSpace += value;
        remove => _connection.RanOutOfSpace -= value;
    }

    /// <summary>Raised as each write to the result tables ends: how long it took (retries included), and whether it failed.</summary>
    public event Action<TimeSpan, bool>? Wrote
    {
        add => _connection.Wrote += value;
        remove => _connection.Wrote -= value;
    }

    /// <summary>Whether the result tables exist (a store a sweep has been run in).</summary>
    public bool Exists => Database.Exists;

    /// <summary>The store as named in messages: its folder, or the PostgreSQL database.</summary>
    public string Describe => Database.Describe;

    /// <summary>
    /// Creates or brings up to date the tables; once per instance, however many reads ask. A read-only
    /// store is only checked: it must hold SweepGrid's tables, as this version writes them.
    /// </summary>
    /// <exception cref="StoreFormatException">Read-only, and not a SweepGrid store (or one an earlier version wrote).</exception>
    public void EnsureSchema() => _schema.Ensure();
}

/// <summary>A store that is not SweepGrid's, or not in the shape this version reads: bad input, not a fault.</summary>
public sealed class StoreFormatException(string message) : Exception(message)
{
    /// <summary>The store is SweepGrid's, from an earlier version: opening it for writing brings it up to date.</summary>
    public bool Upgradable { get; init; }
}
