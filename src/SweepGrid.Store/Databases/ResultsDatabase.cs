using System.Data.Common;

namespace SweepGrid.Store.Databases;

/// <summary>
/// Where the result tables live and what differs between the two databases SweepGrid writes them to.
/// The SQL itself is shared: named parameters (@name), ON CONFLICT upserts, DOUBLE PRECISION and
/// BIGINT columns mean the same in SQLite (3.24+) and PostgreSQL.
/// </summary>
public abstract class ResultsDatabase
{
    /// <summary>How the store is named in messages to the user (never with a password).</summary>
    public abstract string Describe { get; }

    /// <summary>
    /// Opened for reading only (`status`, `export`, `summary`, `report`): the database refuses every
    /// write, so a command pointed at the wrong file cannot add SweepGrid's tables to it.
    /// </summary>
    public bool ReadOnly { get; protected init; }

    /// <summary>Whether the result tables have been created here.</summary>
    public abstract bool Exists { get; }

    public abstract DbConnection Open();

    /// <summary>
    /// Rows per INSERT when many are written at once (<see cref="Sql.InsertRows"/>). A multi-row INSERT
    /// saves PostgreSQL a round trip a row; SQLite has no round trips but looks each named parameter
    /// up by a scan of the statement's parameters, so its many-row INSERTs cost the square of their
    /// size (10,000 trials in rows of 500 took 15 s; one row at a time on a reused command, 0.3 s).
    /// </summary>
    public abstract int RowsPerInsert { get; }

    /// <summary>
    /// What follows a SELECT inside a transaction to lock the rows it read until the commit: PostgreSQL's
    /// FOR UPDATE; nothing for SQLite, whose write transactions begin IMMEDIATE and so hold the whole file.
    /// </summary>
    public virtual string ForUpdate => "";

    /// <summary>Held around every statement unit by this process's writers, or null where the database needs none.</summary>
    public virtual object? Gate => null;

    /// <summary>Taken around the schema check (CREATE TABLE ..., added columns); disposing it releases it.</summary>
    public abstract IDisposable SchemaLock(DbConnection connection);

    /// <summary>The column names of a table, to add the ones a store written by an earlier version lacks.</summary>
    public abstract IReadOnlySet<string> Columns(DbConnection connection, string table);

    /// <summary>
    /// Whether a failed statement may succeed if tried again: the server is down or restarting, a
    /// connection broke, SQLite's file is locked by another writer.
    /// </summary>
    public abstract bool IsTransient(Exception error);
}
