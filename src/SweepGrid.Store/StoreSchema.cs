using System.Data.Common;
using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// The result tables' shape: created where missing, brought up to date where an earlier SweepGrid wrote
/// them (columns added since, a table renamed), and only checked where the store is opened read-only.
/// Once per store instance, however many reads and writes ask.
/// </summary>
internal sealed class StoreSchema(ResultsDatabase database, StoreConnection connection)
{
    private bool _ready;

    /// <summary>The trials table's columns as the first release wrote them; later ones are in <see cref="AddedTrialColumns"/>.</summary>
    public static readonly string[] TrialColumns =
    [
        "sweep", "trial", "ordinal", "status", "batch_size", "grid_learning_rate", "learning_rate", "lr_scaling", "regime_adaptation",
        "ghost_batch_size", "regularizer", "regularizer_strength", "seed", "epochs", "model", "optimizer", "schedule",
    ];

    /// <summary>
    /// Creates or brings up to date the tables. A read-only store is only checked: it must hold SweepGrid's
    /// tables, as this version writes them.
    /// </summary>
    /// <exception cref="StoreFormatException">Read-only, and not a SweepGrid store (or one an earlier version wrote).</exception>
    public void Ensure()
    {
        if (_ready) return;
        if (database.ReadOnly) Verify();
        else connection.Run(Upgrade);
        _ready = true;
    }

    private void Upgrade(DbConnection c)
    {
        using var schemaLock = database.SchemaLock(c);
        RenameTable(c, "trajectory", "epochs");
        // BIGINT and DOUBLE PRECISION: 64-bit in both databases (PostgreSQL's REAL is 32-bit).
        Sql.Execute(c, """
            CREATE TABLE IF NOT EXISTS sweeps (
              sweep TEXT PRIMARY KEY,
              spec_json TEXT NOT NULL,
              submitted_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS trials (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, ordinal BIGINT NOT NULL,
              status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, reason TEXT,
              batch_size BIGINT NOT NULL, grid_learning_rate DOUBLE PRECISION NOT NULL, learning_rate DOUBLE PRECISION NOT NULL,
              lr_scaling TEXT NOT NULL, regime_adaptation BIGINT NOT NULL,
              ghost_batch_size BIGINT NOT NULL, regularizer TEXT NOT NULL, regularizer_strength DOUBLE PRECISION NOT NULL,
              seed BIGINT NOT NULL, epochs BIGINT NOT NULL,
              model TEXT NOT NULL DEFAULT '', optimizer TEXT NOT NULL DEFAULT '', schedule TEXT NOT NULL DEFAULT '',
              steps BIGINT, train_loss DOUBLE PRECISION, train_acc DOUBLE PRECISION, test_loss DOUBLE PRECISION, test_acc DOUBLE PRECISION,
              weight_distance DOUBLE PRECISION, seconds DOUBLE PRECISION,
              PRIMARY KEY (sweep, trial));
            CREATE TABLE IF NOT EXISTS epochs (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, epoch BIGINT NOT NULL, step BIGINT NOT NULL,
              learning_rate DOUBLE PRECISION NOT NULL, train_loss DOUBLE PRECISION NOT NULL, train_acc DOUBLE PRECISION NOT NULL,
              test_loss DOUBLE PRECISION NOT NULL, test_acc DOUBLE PRECISION NOT NULL, weight_distance DOUBLE PRECISION NOT NULL,
              seconds DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (sweep, trial, epoch));
            CREATE TABLE IF NOT EXISTS points (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step BIGINT NOT NULL, epoch BIGINT NOT NULL,
              learning_rate DOUBLE PRECISION NOT NULL, batch_loss DOUBLE PRECISION, grad_norm DOUBLE PRECISION,
              weight_distance DOUBLE PRECISION NOT NULL, step_length DOUBLE PRECISION, path_length DOUBLE PRECISION,
              test_loss DOUBLE PRECISION, test_acc DOUBLE PRECISION,
              PRIMARY KEY (sweep, trial, step));
            CREATE TABLE IF NOT EXISTS layer_distances (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step BIGINT NOT NULL, layer TEXT NOT NULL, weight_distance DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (sweep, trial, step, layer));
            CREATE TABLE IF NOT EXISTS walks (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step BIGINT NOT NULL,
              floor DOUBLE PRECISION NOT NULL, floor_position DOUBLE PRECISION NOT NULL, height DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (sweep, trial, step));
            CREATE TABLE IF NOT EXISTS walk_curves (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step BIGINT NOT NULL, alpha DOUBLE PRECISION NOT NULL, loss DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (sweep, trial, step, alpha));
            CREATE TABLE IF NOT EXISTS interpolations (
              sweep TEXT NOT NULL, trial_a TEXT NOT NULL, trial_b TEXT NOT NULL, alpha DOUBLE PRECISION NOT NULL,
              train_loss DOUBLE PRECISION, train_acc DOUBLE PRECISION, test_loss DOUBLE PRECISION, test_acc DOUBLE PRECISION,
              PRIMARY KEY (sweep, trial_a, trial_b, alpha));
            CREATE TABLE IF NOT EXISTS spectrum (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, epoch BIGINT NOT NULL, run BIGINT NOT NULL, node BIGINT NOT NULL,
              eigenvalue DOUBLE PRECISION NOT NULL, weight DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (sweep, trial, epoch, run, node));
            CREATE TABLE IF NOT EXISTS flatness (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, epoch BIGINT NOT NULL, metric TEXT NOT NULL,
              value DOUBLE PRECISION, seconds DOUBLE PRECISION NOT NULL, iterations BIGINT NOT NULL,
              PRIMARY KEY (sweep, trial, epoch, metric));
            """);
        AddMissingColumns(c, "sweeps", AddedSweepColumns);
        AddMissingColumns(c, "trials", AddedTrialColumns);
        AddMissingColumns(c, "flatness", AddedFlatnessColumns);
        AddMissingColumns(c, "points", AddedPointColumns);
        foreach (var table in AttemptTables) AddMissingColumns(c, table, [AttemptColumn]);
    }

    /// <summary>
    /// The tables a reader needs, with every column it reads. A store whose tables lack only what a later
    /// SweepGrid added (or renamed) is SweepGrid's own, from an earlier version: that is told apart
    /// (<see cref="StoreFormatException.Upgradable"/>) from a database that is not a SweepGrid store at all.
    /// </summary>
    private void Verify() => connection.Run(c =>
    {
        var added = AddedTrialColumns.Concat(AddedSweepColumns).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (table, columns) in new[]
                 {
                     ("sweeps", new[] { "sweep", "spec_json", "submitted_at" }.Concat(AddedSweepColumns.Select(a => a.Name)).ToArray()),
                     ("trials", TrialColumns.Union(AddedTrialColumns.Select(a => a.Name)).ToArray()),
                 })
        {
            var present = database.Columns(c, table);
            if (present.Count == 0) throw new StoreFormatException($"{database.Describe}: not a SweepGrid store (it has no table {table}); nothing was changed");
            var missing = columns.Where(name => !present.Contains(name)).ToList();
            if (missing.Count > 0)
            {
                throw new StoreFormatException($"{database.Describe}: its table {table} lacks {string.Join(", ", missing)} (a store of an earlier SweepGrid, or not SweepGrid's); nothing was changed")
                {
                    Upgradable = missing.All(added.Contains),
                };
            }
        }

        // A SweepGrid store from before the spectrum table, the flatness standard error, the points' test
        // evaluations, the epochs table's name (it was "trajectory") or the rows' attempts: brought up to date by Upgrade.
        var flatness = database.Columns(c, "flatness");
        var points = database.Columns(c, "points");
        if (database.Columns(c, "epochs").Count == 0 || database.Columns(c, "spectrum").Count == 0
            || AddedFlatnessColumns.Any(a => !flatness.Contains(a.Name)) || AddedPointColumns.Any(a => !points.Contains(a.Name))
            || AttemptTables.Any(t => !database.Columns(c, t).Contains(AttemptColumn.Name)))
        {
            throw new StoreFormatException($"{database.Describe}: it lacks the epochs or spectrum table, flatness.standard_error, points.test_acc or the attempt columns (a store of an earlier SweepGrid); nothing was changed")
            {
                Upgradable = true,
            };
        }
    });

    /// <summary>Columns added after the first release of the schema, with their definitions.</summary>
    private static readonly (string Name, string Definition)[] AddedTrialColumns =
    [
        ("model", "TEXT NOT NULL DEFAULT ''"),
        ("optimizer", "TEXT NOT NULL DEFAULT ''"),
        ("schedule", "TEXT NOT NULL DEFAULT ''"),
        ("log_fit_a", "DOUBLE PRECISION"),
        ("log_fit_b", "DOUBLE PRECISION"),
        ("log_fit_r2", "DOUBLE PRECISION"),
        ("slot", "TEXT"),
        ("resumed_from_epoch", "BIGINT"),
        ("outcome_attempt", "BIGINT"),
        ("outcome_status", "TEXT"),
        ("outcome_reason", "TEXT"),
    ];

    /// <summary>Sweep columns added later: whether it is open, paused or cancelled, and its priority (sweepgrid pause, cancel, priority).</summary>
    private static readonly (string Name, string Definition)[] AddedSweepColumns = [("standing", "TEXT NOT NULL DEFAULT 'open'"), ("priority", "BIGINT")];

    /// <summary>Flatness columns added later: the standard error of an estimate that has one.</summary>
    private static readonly (string Name, string Definition)[] AddedFlatnessColumns = [("standard_error", "DOUBLE PRECISION")];

    /// <summary>
    /// The attempt that wrote each row of a recorder's tables (the fencing token, ResultsWriter): added in
    /// 2026-12, empty in rows written before.
    /// </summary>
    private static readonly (string Name, string Definition) AttemptColumn = ("attempt", "BIGINT");

    public static readonly string[] AttemptTables = ["epochs", "points", "flatness", "walks", "spectrum"];

    /// <summary>Point columns added later: the test evaluation of metrics.eval-every-steps.</summary>
    private static readonly (string Name, string Definition)[] AddedPointColumns = [("test_loss", "DOUBLE PRECISION"), ("test_acc", "DOUBLE PRECISION")];

    /// <summary>Brings a store written by an earlier version up to date: CREATE IF NOT EXISTS adds no columns.</summary>
    private void AddMissingColumns(DbConnection c, string table, (string Name, string Definition)[] columns)
    {
        var existing = database.Columns(c, table);
        foreach (var (name, definition) in columns.Where(a => !existing.Contains(a.Name)))
        {
            Sql.Execute(c, $"ALTER TABLE {table} ADD COLUMN {name} {definition};");
        }
    }

    /// <summary>
    /// A table an earlier version named otherwise (the epochs table was "trajectory", a word that means
    /// per-step points everywhere else): renamed, rows and all, where only the old name exists.
    /// </summary>
    private void RenameTable(DbConnection c, string from, string to)
    {
        if (database.Columns(c, from).Count == 0 || database.Columns(c, to).Count > 0) return;
        Sql.Execute(c, $"ALTER TABLE {from} RENAME TO {to};");
    }
}
