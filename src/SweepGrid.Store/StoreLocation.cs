using Npgsql;
using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// Where a SweepGrid process keeps what it records. The folder always holds the files (checkpoints,
/// final weights, logs); a cluster shares it between nodes (a ReadWriteMany volume on Kubernetes).
/// The journal and the result tables are either two SQLite files in that folder (journal.db and
/// results.db, apart so the journal's writer and the result writers never wait on one another's
/// lock: the embedded default, one machine) or one PostgreSQL database (a cluster's store).
/// </summary>
/// <param name="PostgresConnectionString">Npgsql connection string, password included; null for SQLite.</param>
public sealed record StoreLocation(string Directory, string? PostgresConnectionString = null)
{
    public const string JournalFile = "journal.db";

    /// <summary>The Npgsql connection string of the cluster's database, without a password.</summary>
    public const string PostgresVariable = "SWEEPGRID_POSTGRES";

    /// <summary>The database password, from a secret: never in a file or on a command line.</summary>
    public const string PasswordVariable = "SWEEPGRID_POSTGRES_PASSWORD";

    public string JournalPath => Path.Combine(Directory, JournalFile);

    /// <summary>Built, not pasted: a folder name with ';' or '=' must not become a connection-string option.</summary>
    public string SqliteConnectionString => new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = JournalPath }.ToString();

    public bool IsPostgres => PostgresConnectionString is not null;

    /// <summary>
    /// Puts an SQLite journal file in WAL mode (the mode is kept in the file) before the persistence
    /// plugin opens it: one fsync per commit instead of the rollback journal's several, and readers
    /// never block the writer. Measured with bench --dispatch: see bench/results/dispatch.md.
    /// </summary>
    public void PrepareJournal()
    {
        if (IsPostgres) return;
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(SqliteConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }

    /// <summary>The result tables of this store.</summary>
    /// <param name="readOnly">For commands that only read: the database refuses writes, and the store must already be SweepGrid's.</param>
    public ResultsStore OpenResults(bool readOnly = false) => PostgresConnectionString is { } connection
        ? new ResultsStore(Directory, new PostgresResultsDatabase(connection, readOnly))
        : new ResultsStore(Directory, new SqliteResultsDatabase(Path.Combine(Directory, ResultsStore.FileName), readOnly));

    /// <summary>
    /// The store for the folder <paramref name="directory"/>: PostgreSQL when <see cref="PostgresVariable"/>
    /// is set (the password, if the server wants one, from <see cref="PasswordVariable"/>), SQLite otherwise.
    /// </summary>
    /// <exception cref="StoreSettingsException">The connection string cannot be parsed or holds a password.</exception>
    public static StoreLocation Resolve(string directory, Func<string, string?> environment)
    {
        var full = Path.GetFullPath(directory);
        var text = environment(PostgresVariable);
        if (string.IsNullOrWhiteSpace(text)) return new StoreLocation(full);

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw new StoreSettingsException($"{PostgresVariable}: not an Npgsql connection string ({e.Message}); expected e.g. Host=db;Database=sweepgrid;Username=sweepgrid");
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new StoreSettingsException($"{PostgresVariable}: holds a password; set it in {PasswordVariable} (from a secret) instead, so that it never lands in a file");
        }

        if (string.IsNullOrEmpty(builder.Host)) throw new StoreSettingsException($"{PostgresVariable}: no Host= in \"{text}\"");
        if (environment(PasswordVariable) is { Length: > 0 } password) builder.Password = password;
        return new StoreLocation(full, builder.ConnectionString);
    }

    /// <summary>The store from this process's environment.</summary>
    public static StoreLocation FromEnvironment(string directory) => Resolve(directory, Environment.GetEnvironmentVariable);

    /// <summary>
    /// The store is what SweepGrid makes, or not there yet: a folder, whose database files (SQLite) are
    /// regular files that are empty or SQLite's. Anything else is refused before SQLite opens it: it
    /// would wait for ever on a FIFO, and say only "disk I/O error" or "file is not a database" of a
    /// folder or another program's file (and a command would then have failed with exit 1, not 2).
    /// </summary>
    /// <exception cref="StoreSettingsException">What is there instead, and where.</exception>
    public void Check()
    {
        if (File.Exists(Directory)) throw new StoreSettingsException($"store {Directory}: is a file, not a folder");
        if (IsPostgres) return;
        foreach (var name in new[] { ResultsStore.FileName, JournalFile })
        {
            var path = Path.Combine(Directory, name);
            if (System.IO.Directory.Exists(path)) throw new StoreSettingsException($"store {Directory}: {name} is a folder, not a database file");
            try
            {
                using var file = Core.Files.RegularFile.OpenRead(path, bufferSize: 0);
                var header = new byte[SqliteHeader.Length];
                if (file.Length > 0 && (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader)))
                {
                    throw new StoreSettingsException($"store {Directory}: {name} is not an SQLite database (another program's file, or damaged)");
                }
            }
            catch (FileNotFoundException)
            {
                // Not there yet: made when the store is first written.
            }
            catch (Core.Files.RefusedFileException e)
            {
                throw new StoreSettingsException($"store {Directory}: {name}: {e.What}, not a database file");
            }
        }
    }

    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
}

/// <summary>The store's settings (from the environment) are not usable: bad input, not a fault.</summary>
public sealed class StoreSettingsException(string message) : Exception(message);
