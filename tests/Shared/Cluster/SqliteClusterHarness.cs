using Microsoft.Data.Sqlite;

namespace SweepGrid.Tests.Shared;

/// <summary>The cluster on one machine with the embedded store: SQLite files in the shared store folder.</summary>
public abstract class SqliteClusterHarness : ClusterHarness
{
    protected override string EpochList => "group_concat(epoch)";

    protected override List<object?[]> Rows(string sql, bool journal = false)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, journal ? "journal.db" : "results.db")};Mode=ReadOnly;Pooling=false");
        return Read(connection, sql);
    }

    /// <summary>A sweep file named after the sweep, with <paramref name="body"/> as its keys besides the name.</summary>
    protected string SweepFileWith(string name, string body)
    {
        var path = Path.Combine(Dir, $"{name}.hocon");
        File.WriteAllText(path, $$"""
            sweep {
              name = {{name}}
              {{body}}
            }
            """);
        return path;
    }

    /// <summary>
    /// Freezes the node at a moment when it holds neither SQLite file's write lock. One frozen inside a
    /// write transaction holds the lock until it is continued, and every other node's writes wait for it:
    /// the trial could then never finish elsewhere (a CI run stalled so for 4 minutes). That is SQLite's
    /// nature (one machine's store; a cluster that may freeze wants PostgreSQL), not what this test is about.
    /// </summary>
    protected override Task FreezeNode(ClusterProcess node) => FreezeOutsideAWrite(node);

    protected async Task FreezeOutsideAWrite(ClusterProcess node)
    {
        var deadline = DateTime.UtcNow + Sweep;
        while (true)
        {
            node.Freeze();
            if (new[] { "results.db", "journal.db" }.All(Writable)) return;
            node.Thaw();
            Assert.True(DateTime.UtcNow < deadline, $"node {node.Name} held a store lock at every try within {Sweep}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Whether a write transaction can begin on the store's file now (within a second). One statement per
    /// command: Microsoft.Data.Sqlite runs nothing after a statement that returns rows, so the former
    /// "PRAGMA busy_timeout = 500; BEGIN IMMEDIATE; ROLLBACK;" stopped after the PRAGMA's answer, never
    /// began the transaction, and this check passed while the frozen node held the lock (checked against
    /// a lock held by another connection): the stalls it was written against went on, one in CI today.
    /// </summary>
    private bool Writable(string file)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, file)};Pooling=False;Default Timeout=1");
        connection.Open();
        try
        {
            Execute(connection, "BEGIN IMMEDIATE;");
            Execute(connection, "ROLLBACK;");
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            return false;
        }
    }

    private static void Execute(SqliteConnection connection, string statement)
    {
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        command.ExecuteNonQuery();
    }
}
