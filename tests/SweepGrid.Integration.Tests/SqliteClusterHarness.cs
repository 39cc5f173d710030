using Microsoft.Data.Sqlite;

namespace SweepGrid.Integration.Tests;

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
}
