using System.Data.Common;

namespace SweepGrid.Store.Databases;

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
