namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// The embedded store: one folder holding the Akka journal (journal.db) and the result tables
/// (results.db), kept in separate SQLite files so the journal's writer and the result writers never
/// wait on one another's lock.
/// </summary>
public sealed record StoreLocation(string Directory)
{
    public const string JournalFile = "journal.db";

    public string JournalPath => Path.Combine(Directory, JournalFile);

    public string SqliteConnectionString => $"Data Source={JournalPath}";
}
