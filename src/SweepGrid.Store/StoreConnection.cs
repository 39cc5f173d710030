using System.Data.Common;
using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// How every unit of work reaches the database: on a connection of its own, again on a new one after a
/// transient failure (the database restarting, a lock held too long), with backoff from 0.25 s to 4 s,
/// until <see cref="RetryFor"/> has passed. A short outage delays writers instead of failing them.
/// Every unit is an upsert, a read or a whole transaction, so running it again is safe.
/// </summary>
internal sealed class StoreConnection(ResultsDatabase database)
{
    /// <summary>How long a unit that fails transiently is retried before the failure is thrown.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromSeconds(60);

    public void Execute(string sql, params (string Name, object? Value)[] parameters) =>
        Written(() => Run(connection => Sql.Execute(connection, sql, parameters: parameters)));

    /// <summary>Told of every write (a statement, or a transaction) when it ends: how long it took, retries included, and whether it failed.</summary>
    public event Action<TimeSpan, bool>? Wrote;

    private void Written(Action write)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        bool failed = true;
        try
        {
            write();
            failed = false;
        }
        finally
        {
            Wrote?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(start), failed);
        }
    }

    public IReadOnlyList<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters) => Run(connection =>
    {
        using var command = Sql.Command(connection, sql, parameters: parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    });

    /// <summary>All statements in one transaction: a retry after a failure starts the whole unit again.</summary>
    public void InTransaction(Action<DbConnection, DbTransaction> work) => Written(() => Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        work(connection, transaction);
        transaction.Commit();
    }));

    public void Run(Action<DbConnection> work) => Run(connection =>
    {
        work(connection);
        return true;
    });

    /// <summary>
    /// Told of every unit that failed for lack of space (<see cref="OutOfSpace"/>) before the failure is thrown:
    /// the node stops its trials instead of letting each writer find out on its own (ResultsStore).
    /// </summary>
    public event Action<Exception>? RanOutOfSpace;

    public T Run<T>(Func<DbConnection, T> work)
    {
        try
        {
            return Retried(work);
        }
        catch (Exception e) when (OutOfSpace.Is(e))
        {
            RanOutOfSpace?.Invoke(e);
            throw;
        }
    }

    private T Retried<T>(Func<DbConnection, T> work)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        var wait = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                if (database.Gate is not { } gate) return Once(work);
                lock (gate) return Once(work);
            }
            catch (Exception e) when (database.IsTransient(e) && DateTime.UtcNow + wait < deadline)
            {
                Thread.Sleep(wait);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
            }
        }
    }

    /// <summary>One round trip, without retries: for health checks, which must answer now.</summary>
    public T Once<T>(Func<DbConnection, T> work)
    {
        using var connection = database.Open();
        return work(connection);
    }
}
