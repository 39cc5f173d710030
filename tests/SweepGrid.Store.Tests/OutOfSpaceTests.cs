using Microsoft.Data.Sqlite;
using Npgsql;

namespace SweepGrid.Store.Tests;

public sealed class OutOfSpaceTests : TempDirectoryTest
{
    /// <summary>A real SQLITE_FULL: SQLite answers so when a file may not grow past its max_page_count, as on a full disk.</summary>
    [Fact]
    public void SQLite_that_cannot_grow_its_file_is_out_of_space_and_says_so()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Dir, "small.db")};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA max_page_count = 4;");
        Execute(connection, "CREATE TABLE t (x BLOB);");

        var full = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO t VALUES (randomblob(100000));"));

        Assert.True(OutOfSpace.Is(full));
        Assert.True(OutOfSpace.Is(new InvalidOperationException("journal write failed", full)));
        Assert.Equal("SQLite Error 13: 'database or disk is full'.", OutOfSpace.Reason(new AggregateException(new InvalidOperationException("journal", full))));
    }

    [Fact]
    public void PostgreSQL_disk_full_and_a_file_on_a_full_disk_are_out_of_space()
    {
        var postgres = new PostgresException("could not extend file \"base/16384/16385\": No space left on device", "ERROR", "ERROR", "53100");
        var file = new IOException("No space left on device : '/store/weights/x.pt'", 28);

        Assert.True(OutOfSpace.Is(postgres));
        Assert.True(OutOfSpace.Is(new AggregateException(file)));
        Assert.Equal(file.Message, OutOfSpace.Reason(new InvalidOperationException("saving", file)));
    }

    [Fact]
    public void Other_database_failures_are_not()
    {
        Assert.False(OutOfSpace.Is(new SqliteException("SQLite Error 5: 'database is locked'.", 5)));
        Assert.False(OutOfSpace.Is(new SqliteException("SQLite Error 10: 'disk I/O error'.", 10)));
        Assert.False(OutOfSpace.Is(new PostgresException("out of memory", "ERROR", "ERROR", "53200")));
        Assert.False(OutOfSpace.Is(new TimeoutException()));
        Assert.False(OutOfSpace.Is(null));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.NextResult())
        {
        }
    }
}
