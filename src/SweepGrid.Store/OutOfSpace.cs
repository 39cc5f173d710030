using Microsoft.Data.Sqlite;
using Npgsql;
using SweepGrid.Core.Files;

namespace SweepGrid.Store;

/// <summary>
/// Whether a failed write found the store out of space: a file on a full disk or over its quota
/// (<see cref="DiskFull"/>), SQLite's SQLITE_FULL (13: results.db or journal.db could not grow), or
/// PostgreSQL's disk_full (SQLSTATE 53100). The store's fault, never a trial's: nothing is charged for it,
/// and it lasts until someone frees space, so retrying at once only repeats it.
/// </summary>
public static class OutOfSpace
{
    private const int SqliteFull = 13;
    private const string PostgresDiskFull = "53100";

    public static bool Is(Exception? error) => DiskFull.Is(error) || Causes(error).Any(IsDatabaseFull);

    /// <summary>What the database or the file system said (the innermost error that says it), for the one line the user reads.</summary>
    public static string Reason(Exception error) => (Causes(error).LastOrDefault(e => IsDatabaseFull(e) || DiskFull.Is(e)) ?? error).Message;

    private static bool IsDatabaseFull(Exception e) => e is SqliteException { SqliteErrorCode: SqliteFull } or PostgresException { SqlState: PostgresDiskFull };

    /// <summary>The error and everything it wraps, depth first (an aggregate's every inner error).</summary>
    private static IEnumerable<Exception> Causes(Exception? error)
    {
        if (error is null) yield break;
        yield return error;
        var inner = error is AggregateException a ? a.InnerExceptions : error.InnerException is { } one ? [one] : [];
        foreach (var cause in inner.SelectMany(Causes)) yield return cause;
    }
}
