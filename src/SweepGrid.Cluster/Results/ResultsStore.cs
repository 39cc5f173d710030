using System.Globalization;
using System.Text.Json;
using System.Data.Common;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Results;

/// <summary>
/// The plain, queryable result tables next to the journal (sweeps, trials, trajectory), so that
/// export, report and SQL users never decode journal blobs. Every write is an upsert keyed by
/// (sweep, trial[, epoch]): a re-run attempt overwrites the rows of the one it replaces, it never
/// adds duplicates. Columns have single owners: the coordinator writes status and attempts, the
/// trial recorder writes metrics.
/// The tables live in SQLite (results.db in the store folder, the embedded default) or in PostgreSQL
/// (a cluster's store); files (checkpoints, final weights) always live in the store folder, which a
/// cluster shares between its nodes. A statement that fails for a transient reason (the database
/// restarting, a lock held too long) is tried again for up to <see cref="RetryFor"/>, so a short
/// database outage delays writers instead of failing them.
/// </summary>
public sealed class ResultsStore
{
    public const string FileName = "results.db";

    private bool _schemaReady;

    /// <summary>The embedded store: tables in results.db in <paramref name="storeDirectory"/>.</summary>
    public ResultsStore(string storeDirectory)
        : this(storeDirectory, new SqliteResultsDatabase(System.IO.Path.Combine(storeDirectory, FileName)))
    {
    }

    public ResultsStore(string storeDirectory, ResultsDatabase database)
    {
        Directory = storeDirectory;
        Database = database;
    }

    /// <summary>The folder of the files: checkpoints, final weights, logs.</summary>
    public string Directory { get; }

    public ResultsDatabase Database { get; }

    /// <summary>How long a statement that fails transiently is retried before the failure is thrown.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether the result tables exist (a store a sweep has been run in).</summary>
    public bool Exists => Database.Exists;

    /// <summary>The store as named in messages: its folder, or the PostgreSQL database.</summary>
    public string Describe => Database.Describe;

    /// <summary>A running trial's checkpoint (checkpoints/SWEEP/TRIAL.ckpt), kept until its outcome is stored.</summary>
    /// <exception cref="InvalidDataException">The names (from a message or a row) are not a sweep name and a trial id.</exception>
    public string CheckpointPath(string sweep, string trial) => FilePath("checkpoints", sweep, trial, ".ckpt");

    /// <summary>Where a completed trial's final weights are kept: weights/&lt;sweep&gt;/&lt;trial&gt;.pt in the store folder.</summary>
    /// <exception cref="InvalidDataException">The names (from a message or a row) are not a sweep name and a trial id.</exception>
    public string WeightsPath(string sweep, string trial) => FilePath("weights", sweep, trial, ".pt");

    /// <summary>The one place a trial's file path is built: from checked names, inside the store folder.</summary>
    private string FilePath(string folder, string sweep, string trial, string extension) =>
        SafePath.Under(Directory, folder, Names.SweepName(sweep, $"{folder} path"), Names.TrialId(trial, $"{folder} path") + extension);

    /// <summary>The sweep file a sweep was submitted with, as stored.</summary>
    public SweepSpec LoadSweep(string sweep) => Run(connection =>
    {
        using var command = Sql.Command(connection, "SELECT spec_json FROM sweeps WHERE sweep = @sweep;", parameters: ("sweep", sweep));
        var json = command.ExecuteScalar() as string ?? throw new InvalidOperationException($"sweep {sweep} is not in the store");
        return JsonSerializer.Deserialize<SweepSpec>(json, SweepJson.Options)
            ?? throw new InvalidOperationException($"sweep {sweep}: stored sweep file is empty");
    });

    /// <summary>The sweeps holding a trial id, with the trial's status there.</summary>
    public IReadOnlyList<(string Sweep, string Status)> FindTrial(string trial)
    {
        if (!Exists) return [];
        EnsureSchema();
        return Query("SELECT sweep, status FROM trials WHERE trial = @trial ORDER BY sweep;",
            r => (r.GetString(0), r.GetString(1)), ("trial", trial));
    }

    public void WriteInterpolation(string sweep, string trialA, string trialB, IEnumerable<(double Alpha, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc)> points) =>
        InTransaction((connection, transaction) =>
        {
            Sql.Execute(connection, "DELETE FROM interpolations WHERE sweep = @sweep AND trial_a = @a AND trial_b = @b;", transaction,
                ("sweep", sweep), ("a", trialA), ("b", trialB));
            foreach (var p in points)
            {
                Sql.Execute(connection, """
                    INSERT INTO interpolations (sweep, trial_a, trial_b, alpha, train_loss, train_acc, test_loss, test_acc)
                    VALUES (@sweep, @a, @b, @alpha, @trainLoss, @trainAcc, @testLoss, @testAcc);
                    """, transaction,
                    // Far outside the segment the loss can overflow to NaN/Inf: stored as NULL.
                    ("sweep", sweep), ("a", trialA), ("b", trialB), ("alpha", p.Alpha), ("trainLoss", Finite(p.TrainLoss)),
                    ("trainAcc", Finite(p.TrainAcc)), ("testLoss", Finite(p.TestLoss)), ("testAcc", Finite(p.TestAcc)));
            }
        });

    /// <summary>
    /// Creates or brings up to date the tables; once per instance, however many reads ask. A read-only
    /// store is only checked: it must hold SweepGrid's tables, as this version writes them.
    /// </summary>
    /// <exception cref="StoreFormatException">Read-only, and not a SweepGrid store (or one an earlier version wrote).</exception>
    public void EnsureSchema()
    {
        if (_schemaReady) return;
        if (Database.ReadOnly)
        {
            VerifySchema();
            _schemaReady = true;
            return;
        }

        Run(connection =>
        {
            using var schemaLock = Database.SchemaLock(connection);
            // BIGINT and DOUBLE PRECISION: 64-bit in both databases (PostgreSQL's REAL is 32-bit).
            Sql.Execute(connection, """
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
                CREATE TABLE IF NOT EXISTS trajectory (
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
            AddMissingColumns(connection, "trials", AddedTrialColumns);
            AddMissingColumns(connection, "flatness", AddedFlatnessColumns);
            AddMissingColumns(connection, "points", AddedPointColumns);
        });
        _schemaReady = true;
    }

    /// <summary>
    /// The tables a reader needs, with every column it reads. A store whose tables lack only columns a
    /// later SweepGrid added is SweepGrid's own, from an earlier version: that is told apart
    /// (<see cref="StoreFormatException.Upgradable"/>) from a database that is not a SweepGrid store at all.
    /// </summary>
    private void VerifySchema() => Run(connection =>
    {
        var added = AddedTrialColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (table, columns) in new[] { ("sweeps", new[] { "sweep", "spec_json", "submitted_at" }), ("trials", TrialColumns.Union(added).ToArray()) })
        {
            var present = Database.Columns(connection, table);
            if (present.Count == 0) throw new StoreFormatException($"{Describe}: not a SweepGrid store (it has no table {table}); nothing was changed");
            var missing = columns.Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                throw new StoreFormatException($"{Describe}: its table {table} lacks {string.Join(", ", missing)} (a store of an earlier SweepGrid, or not SweepGrid's); nothing was changed")
                {
                    Upgradable = missing.All(added.Contains),
                };
            }
        }

        // A SweepGrid store from before the spectrum table, the flatness standard error or the points' test
        // evaluations: brought up to date by CREATE TABLE IF NOT EXISTS and AddMissingColumns.
        var flatness = Database.Columns(connection, "flatness");
        var points = Database.Columns(connection, "points");
        if (Database.Columns(connection, "spectrum").Count == 0 || AddedFlatnessColumns.Any(c => !flatness.Contains(c.Name))
            || AddedPointColumns.Any(c => !points.Contains(c.Name)))
        {
            throw new StoreFormatException($"{Describe}: it lacks the spectrum table, flatness.standard_error or points.test_acc (a store of an earlier SweepGrid); nothing was changed")
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

    /// <summary>Flatness columns added later: the standard error of an estimate that has one.</summary>
    private static readonly (string Name, string Definition)[] AddedFlatnessColumns = [("standard_error", "DOUBLE PRECISION")];

    /// <summary>Point columns added later: the test evaluation of metrics.eval-every-steps.</summary>
    private static readonly (string Name, string Definition)[] AddedPointColumns = [("test_loss", "DOUBLE PRECISION"), ("test_acc", "DOUBLE PRECISION")];

    /// <summary>Brings a store written by an earlier version up to date: CREATE IF NOT EXISTS adds no columns.</summary>
    private void AddMissingColumns(DbConnection connection, string table, (string Name, string Definition)[] columns)
    {
        var existing = Database.Columns(connection, table);
        foreach (var (name, definition) in columns.Where(c => !existing.Contains(c.Name)))
        {
            Sql.Execute(connection, $"ALTER TABLE {table} ADD COLUMN {name} {definition};");
        }
    }

    public void SaveSweep(SweepSpec spec) => Execute("""
        INSERT INTO sweeps (sweep, spec_json, submitted_at) VALUES (@sweep, @spec, @at)
        ON CONFLICT (sweep) DO UPDATE SET spec_json = excluded.spec_json;
        """,
        ("sweep", spec.Name), ("spec", JsonSerializer.Serialize(spec, SweepJson.Options)),
        ("at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Adds pending rows for trials not yet in the table, numbered with their place in the sweep
    /// (<see cref="TrialEntry.Ordinal"/>); existing rows are left as they are. One transaction, rows
    /// inserted as the database does it fastest (<see cref="ResultsDatabase.RowsPerInsert"/>): 100,000
    /// trials take seconds, not minutes.
    /// </summary>
    public void RegisterTrials(string sweep, IEnumerable<(int Ordinal, TrialSpec Spec)> trials) => InTransaction((connection, transaction) =>
        Sql.InsertRows(connection, transaction, "trials", TrialColumns, "ON CONFLICT (sweep, trial) DO NOTHING", trials.Select(e =>
        {
            var t = e.Spec;
            if (t.SweepName != sweep) throw new ArgumentException($"trial {t.TrialId} belongs to sweep {t.SweepName}, not {sweep}", nameof(trials));
            return new object?[]
            {
                t.SweepName, t.TrialId, e.Ordinal, "pending", t.BatchSize, t.GridLearningRate, t.LearningRate, t.LrScaling.ToString().ToLowerInvariant(),
                t.RegimeAdaptation ? 1 : 0, t.GhostBatchSize, t.Regularizer, t.RegularizerStrength, t.Seed, t.Epochs,
                TrialText.Model(t), TrialText.Optimizer(t), TrialText.Schedule(t),
            };
        }), Database.RowsPerInsert));

    private static readonly string[] TrialColumns =
    [
        "sweep", "trial", "ordinal", "status", "batch_size", "grid_learning_rate", "learning_rate", "lr_scaling", "regime_adaptation",
        "ghost_batch_size", "regularizer", "regularizer_strength", "seed", "epochs", "model", "optimizer", "schedule",
    ];

    /// <summary>How many trials of the sweep the table holds.</summary>
    public long CountTrials(string sweep) =>
        Run(connection =>
        {
            using var count = Sql.Command(connection, "SELECT COUNT(*) FROM trials WHERE sweep = @sweep;", parameters: ("sweep", sweep));
            return Convert.ToInt64(count.ExecuteScalar());
        });

    /// <param name="slot">The slot running the trial; only meaningful while it runs.</param>
    public void SetStatus(string sweep, string trial, TrialStatus status, int attempts, string? reason, string? slot = null) => Execute(
        "UPDATE trials SET status = @status, attempts = @attempts, reason = @reason, slot = @slot WHERE sweep = @sweep AND trial = @trial;",
        ("sweep", sweep), ("trial", trial), ("status", StatusName(status)), ("attempts", attempts), ("reason", reason), ("slot", slot));

    /// <summary>Trials per status for each sweep (or one sweep), sweeps in submission order.</summary>
    public IReadOnlyList<(string Sweep, string SubmittedAt, IReadOnlyDictionary<string, int> Counts)> StatusCounts(string? sweep)
    {
        if (!Exists) return [];
        EnsureSchema();
        // No "@sweep IS NULL OR ...": PostgreSQL cannot type a parameter that is only compared with NULL.
        var rows = Query($"""
            SELECT s.sweep, s.submitted_at, t.status, COUNT(t.trial) FROM sweeps s LEFT JOIN trials t ON t.sweep = s.sweep
            {(sweep is null ? "" : "WHERE s.sweep = @sweep")} GROUP BY s.sweep, s.submitted_at, t.status ORDER BY s.submitted_at, s.sweep;
            """,
            r => (Sweep: r.GetString(0), At: r.GetString(1), Status: r.IsDBNull(2) ? null : r.GetString(2), Count: Convert.ToInt32(r.GetValue(3))),
            ("sweep", sweep));
        var result = new List<(string, string, IReadOnlyDictionary<string, int>)>();
        foreach (var row in rows)
        {
            if (result.Count == 0 || result[^1].Item1 != row.Sweep) result.Add((row.Sweep, row.At, new Dictionary<string, int>()));
            if (row.Status is not null) ((Dictionary<string, int>)result[^1].Item3)[row.Status] = row.Count;
        }

        return result;
    }

    public void WriteEpoch(string sweep, string trial, EpochRecord e) => Execute("""
        INSERT INTO trajectory (sweep, trial, epoch, step, learning_rate, train_loss, train_acc, test_loss, test_acc, weight_distance, seconds)
        VALUES (@sweep, @trial, @epoch, @step, @lr, @trainLoss, @trainAcc, @testLoss, @testAcc, @distance, @seconds)
        ON CONFLICT (sweep, trial, epoch) DO UPDATE SET step = excluded.step, learning_rate = excluded.learning_rate,
          train_loss = excluded.train_loss, train_acc = excluded.train_acc, test_loss = excluded.test_loss,
          test_acc = excluded.test_acc, weight_distance = excluded.weight_distance, seconds = excluded.seconds;
        """,
        ("sweep", sweep), ("trial", trial), ("epoch", e.Epoch), ("step", e.Step), ("lr", e.LearningRate),
        ("trainLoss", e.TrainLoss), ("trainAcc", e.TrainAccuracy), ("testLoss", e.TestLoss), ("testAcc", e.TestAccuracy),
        ("distance", e.WeightDistance), ("seconds", e.Seconds));

    public void WritePoints(string sweep, string trial, IReadOnlyList<TrajectoryPoint> points) => InTransaction((connection, transaction) =>
    {
        foreach (var p in points)
        {
            Sql.Execute(connection, """
                INSERT INTO points (sweep, trial, step, epoch, learning_rate, batch_loss, grad_norm, weight_distance, step_length, path_length,
                  test_loss, test_acc)
                VALUES (@sweep, @trial, @step, @epoch, @lr, @loss, @grad, @distance, @stepLength, @path, @testLoss, @testAcc)
                ON CONFLICT (sweep, trial, step) DO UPDATE SET epoch = excluded.epoch, learning_rate = excluded.learning_rate,
                  batch_loss = excluded.batch_loss, grad_norm = excluded.grad_norm, weight_distance = excluded.weight_distance,
                  step_length = excluded.step_length, path_length = excluded.path_length,
                  test_loss = excluded.test_loss, test_acc = excluded.test_acc;
                """, transaction,
                ("sweep", sweep), ("trial", trial), ("step", p.Step), ("epoch", p.Epoch), ("lr", p.LearningRate),
                ("loss", Finite(p.BatchLoss)), ("grad", Finite(p.GradientNorm)), ("distance", p.WeightDistance),
                ("stepLength", Finite(p.StepLength)), ("path", Finite(p.PathLength)),
                ("testLoss", Finite(p.TestLoss)), ("testAcc", Finite(p.TestAccuracy)));
            foreach (var (layer, distance) in p.LayerDistances)
            {
                Sql.Execute(connection, """
                    INSERT INTO layer_distances (sweep, trial, step, layer, weight_distance) VALUES (@sweep, @trial, @step, @layer, @distance)
                    ON CONFLICT (sweep, trial, step, layer) DO UPDATE SET weight_distance = excluded.weight_distance;
                    """, transaction,
                    ("sweep", sweep), ("trial", trial), ("step", p.Step), ("layer", layer), ("distance", distance));
            }
        }
    });

    public void WriteFlatness(string sweep, string trial, FlatnessRecord f) => Execute("""
        INSERT INTO flatness (sweep, trial, epoch, metric, value, seconds, iterations, standard_error)
        VALUES (@sweep, @trial, @epoch, @metric, @value, @seconds, @iterations, @se)
        ON CONFLICT (sweep, trial, epoch, metric) DO UPDATE SET value = excluded.value, seconds = excluded.seconds,
          iterations = excluded.iterations, standard_error = excluded.standard_error;
        """,
        ("sweep", sweep), ("trial", trial), ("epoch", f.Epoch), ("metric", f.Metric), ("value", Finite(f.Value)),
        ("seconds", f.Seconds), ("iterations", f.Iterations), ("se", f.StandardError is { } se ? Finite(se) : null));

    public void WriteWalk(string sweep, string trial, WalkRecord w) => InTransaction((connection, transaction) =>
    {
        Sql.Execute(connection, """
            INSERT INTO walks (sweep, trial, step, floor, floor_position, height) VALUES (@sweep, @trial, @step, @floor, @position, @height)
            ON CONFLICT (sweep, trial, step) DO UPDATE SET floor = excluded.floor, floor_position = excluded.floor_position,
              height = excluded.height;
            """, transaction,
            ("sweep", sweep), ("trial", trial), ("step", w.Step), ("floor", w.Floor), ("position", w.FloorPosition), ("height", w.Height));
        foreach (var (alpha, loss) in w.Alphas.Zip(w.Losses))
        {
            Sql.Execute(connection, """
                INSERT INTO walk_curves (sweep, trial, step, alpha, loss) VALUES (@sweep, @trial, @step, @alpha, @loss)
                ON CONFLICT (sweep, trial, step, alpha) DO UPDATE SET loss = excluded.loss;
                """, transaction,
                ("sweep", sweep), ("trial", trial), ("step", w.Step), ("alpha", alpha), ("loss", loss));
        }
    });

    /// <summary>
    /// One epoch's Hessian spectrum: its nodes, numbered within each run. The epoch's earlier rows go
    /// first, so a run that found fewer nodes than a previous attempt leaves none of the old ones behind;
    /// the nodes go in as trials are registered (<see cref="ResultsDatabase.RowsPerInsert"/>).
    /// </summary>
    public void WriteSpectrum(string sweep, string trial, SpectrumRecord spectrum) => InTransaction((connection, transaction) =>
    {
        Sql.Execute(connection, "DELETE FROM spectrum WHERE sweep = @sweep AND trial = @trial AND epoch = @epoch;", transaction,
            ("sweep", sweep), ("trial", trial), ("epoch", spectrum.Epoch));
        Sql.InsertRows(connection, transaction, "spectrum", SpectrumColumns, "", spectrum.Nodes.GroupBy(n => n.Run).SelectMany(run =>
            run.Select((node, i) => new object?[] { sweep, trial, spectrum.Epoch, run.Key, i, node.Value, node.Weight })), Database.RowsPerInsert);
    });

    private static readonly string[] SpectrumColumns = ["sweep", "trial", "epoch", "run", "node", "eigenvalue", "weight"];

    /// <summary>Neither database stores NaN usefully (SQLite has none): a value not measured (or not finite) is stored as NULL.</summary>
    private static object? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// Stores an attempt's final metrics and outcome. The attempt and status are kept apart from the
    /// coordinator's status column: they say what the recorder stored, which a restarted coordinator
    /// trusts over a lost report. Trajectory and spectrum rows past the final epoch (left by an earlier
    /// attempt that got further before it was lost) are removed, so they are exactly this attempt's.
    /// </summary>
    public void WriteOutcome(string sweep, string trial, TrialOutcome outcome, int attempt) => InTransaction((connection, transaction) =>
    {
        var f = outcome.Final;
        Sql.Execute(connection, """
            UPDATE trials SET steps = @steps, train_loss = @trainLoss, train_acc = @trainAcc, test_loss = @testLoss,
              test_acc = @testAcc, weight_distance = @distance, seconds = @seconds,
              log_fit_a = @fitA, log_fit_b = @fitB, log_fit_r2 = @fitR2, resumed_from_epoch = @resumed,
              outcome_attempt = @attempt, outcome_status = @status, outcome_reason = @reason
            WHERE sweep = @sweep AND trial = @trial;
            """, transaction,
            ("sweep", sweep), ("trial", trial), ("steps", outcome.Steps), ("trainLoss", f?.TrainLoss),
            ("trainAcc", f?.TrainAccuracy), ("testLoss", f?.TestLoss), ("testAcc", f?.TestAccuracy),
            ("distance", f?.WeightDistance), ("seconds", outcome.Seconds),
            ("fitA", outcome.DistanceFit?.A), ("fitB", outcome.DistanceFit?.B), ("fitR2", outcome.DistanceFit?.R2),
            ("resumed", outcome.ResumedFromEpoch), ("attempt", attempt), ("status", StatusName(outcome.Status)), ("reason", outcome.Reason));
        foreach (var table in new[] { "trajectory", "spectrum" })
        {
            Sql.Execute(connection, $"DELETE FROM {table} WHERE sweep = @sweep AND trial = @trial AND epoch > @last;", transaction,
                ("sweep", sweep), ("trial", trial), ("last", f?.Epoch ?? 0));
        }
        foreach (var table in new[] { "points", "layer_distances", "walks", "walk_curves" })
        {
            Sql.Execute(connection, $"DELETE FROM {table} WHERE sweep = @sweep AND trial = @trial AND step > @steps;", transaction,
                ("sweep", sweep), ("trial", trial), ("steps", outcome.Steps));
        }
    });

    public IReadOnlyList<string> Sweeps()
    {
        if (!Exists) return [];
        // A store written by an earlier version gets its added columns before anything reads rows.
        EnsureSchema();
        return Query("SELECT sweep FROM sweeps ORDER BY submitted_at;", r => r.GetString(0));
    }

    /// <summary>Each trial's last stored epoch (trials with none are absent): how far a running trial has got.</summary>
    public IReadOnlyDictionary<string, long> LastEpochs(string sweep) =>
        Query("SELECT trial, MAX(epoch) FROM trajectory WHERE sweep = @sweep GROUP BY trial;",
            r => (Trial: r.GetString(0), Epoch: Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)), ("sweep", sweep))
            .ToDictionary(x => x.Trial, x => x.Epoch);

    /// <summary>How many epoch evaluations the sweep has stored: grows with every epoch of every trial (what a live view polls).</summary>
    public long CountEpochs(string sweep) =>
        Query("SELECT COUNT(*) FROM trajectory WHERE sweep = @sweep;", r => Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), ("sweep", sweep))[0];

    /// <summary>The sweep's trials in grid order, typed (<see cref="TrialRow"/>): what every view of a sweep reads.</summary>
    /// <param name="trial">Only this trial (none if the sweep lacks it), or all; so for the reads below.</param>
    public IReadOnlyList<TrialRow> Trials(string sweep, string? trial = null) => Rows("trials", sweep, trial).Select(StoredRows.Trial).ToList();

    /// <summary>Every epoch's evaluation, by trial (grid order) and epoch.</summary>
    public IReadOnlyList<EpochRow> Epochs(string sweep, string? trial = null) => Rows("trajectory", sweep, trial).Select(StoredRows.Epoch).ToList();

    /// <summary>Every trajectory point, by trial and step.</summary>
    public IReadOnlyList<PointRow> Points(string sweep, string? trial = null) => Rows("points", sweep, trial).Select(StoredRows.Point).ToList();

    public IReadOnlyList<LayerRow> Layers(string sweep, string? trial = null) => Rows("layer_distances", sweep, trial).Select(StoredRows.Layer).ToList();

    public IReadOnlyList<FlatnessRow> Flatness(string sweep, string? trial = null) => Rows("flatness", sweep, trial).Select(StoredRows.Flatness).ToList();

    public IReadOnlyList<SpectrumRow> Spectrum(string sweep) => Rows("spectrum", sweep).Select(StoredRows.Spectrum).ToList();

    public IReadOnlyList<WalkRow> Walks(string sweep) => Rows("walks", sweep).Select(StoredRows.Walk).ToList();

    public IReadOnlyList<WalkCurveRow> WalkCurves(string sweep) => Rows("walk_curves", sweep).Select(StoredRows.WalkCurve).ToList();

    public IReadOnlyList<InterpolationRow> Interpolations(string sweep) => Rows("interpolations", sweep).Select(StoredRows.Interpolation).ToList();

    /// <summary>
    /// Raw rows of a table for one sweep, as column → value, in a stable order: the typed reads above are
    /// made from them; tests read them to see exactly what a database holds. Whole numbers come back as
    /// long and reals as double from either database.
    /// </summary>
    /// <param name="trial">Only this trial's rows (tables with a trial column), or all.</param>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string table, string sweep, string? trial = null)
    {
        if (trial is not null && table == "interpolations") throw new ArgumentException("interpolations have two trials", nameof(trial));
        string Ordinal(string t) => $"(SELECT ordinal FROM trials t WHERE t.sweep = {t}.sweep AND t.trial = {t}.trial)";
        var order = table switch
        {
            "trials" => "ordinal",
            "trajectory" => $"{Ordinal("trajectory")}, epoch",
            "points" => $"{Ordinal("points")}, step",
            "layer_distances" => $"{Ordinal("layer_distances")}, step, layer",
            "flatness" => $"{Ordinal("flatness")}, epoch, metric",
            "spectrum" => $"{Ordinal("spectrum")}, epoch, run, node",
            "walks" => $"{Ordinal("walks")}, step",
            "walk_curves" => $"{Ordinal("walk_curves")}, step, alpha",
            "interpolations" => "trial_a, trial_b, alpha",
            _ => throw new ArgumentException($"unknown table {table}", nameof(table)),
        };
        // No "@trial IS NULL OR ...": PostgreSQL cannot type a parameter that is only compared with NULL.
        var where = trial is null ? "sweep = @sweep" : "sweep = @sweep AND trial = @trial";
        return Query($"SELECT * FROM {table} WHERE {where} ORDER BY {order};", reader =>
        {
            var row = new Dictionary<string, object?>(reader.FieldCount);
            for (int i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            return (IReadOnlyDictionary<string, object?>)row;
        }, trial is null ? [("sweep", sweep)] : [("sweep", sweep), ("trial", trial)]);
    }

    /// <summary>The outcome a trial's recorder stored: (attempt, status, reason), or null if none yet.</summary>
    public (int Attempt, TrialStatus Status, string? Reason)? StoredOutcome(string sweep, string trial)
    {
        EnsureSchema();
        var found = Query(
            "SELECT outcome_attempt, outcome_status, outcome_reason FROM trials WHERE sweep = @sweep AND trial = @trial AND outcome_attempt IS NOT NULL;",
            r => (Convert.ToInt32(r.GetValue(0)), Enum.Parse<TrialStatus>(r.GetString(1), ignoreCase: true), r.IsDBNull(2) ? null : r.GetString(2)),
            ("sweep", sweep), ("trial", trial));
        return found.Count == 0 ? null : found[0];
    }

    public static string StatusName(TrialStatus status) => status.ToString().ToLowerInvariant();

    private void Execute(string sql, params (string Name, object? Value)[] parameters) =>
        Run(connection => Sql.Execute(connection, sql, parameters: parameters));

    private IReadOnlyList<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters) => Run(connection =>
    {
        using var command = Sql.Command(connection, sql, parameters: parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    });

    /// <summary>One round trip to the database, without the retries of a write: for health checks, which must answer now.</summary>
    public void Ping() => Once(connection =>
    {
        Sql.Execute(connection, "SELECT 1");
        return true;
    });

    /// <summary>All statements in one transaction: a retry after a failure starts the whole unit again.</summary>
    private void InTransaction(Action<DbConnection, DbTransaction> work) => Run(connection =>
    {
        using var transaction = connection.BeginTransaction();
        work(connection, transaction);
        transaction.Commit();
    });

    private void Run(Action<DbConnection> work) => Run(connection =>
    {
        work(connection);
        return true;
    });

    /// <summary>
    /// Opens a connection and does the work, again on a new connection after a transient failure, with
    /// backoff from 0.25 s to 4 s, until <see cref="RetryFor"/> has passed. Every unit is an upsert or a
    /// whole transaction, so running it again is safe.
    /// </summary>
    private T Once<T>(Func<DbConnection, T> work)
    {
        using var connection = Database.Open();
        return work(connection);
    }

    private T Run<T>(Func<DbConnection, T> work)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        var wait = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                if (Database.Gate is not { } gate) return Once(work);
                lock (gate) return Once(work);
            }
            catch (Exception e) when (Database.IsTransient(e) && DateTime.UtcNow + wait < deadline)
            {
                Thread.Sleep(wait);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
            }
        }
    }
}

/// <summary>A store that is not SweepGrid's, or not in the shape this version reads: bad input, not a fault.</summary>
public sealed class StoreFormatException(string message) : Exception(message)
{
    /// <summary>The store is SweepGrid's, from an earlier version: opening it for writing brings it up to date.</summary>
    public bool Upgradable { get; init; }
}
