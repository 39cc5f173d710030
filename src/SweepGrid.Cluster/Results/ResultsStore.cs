using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SweepGrid.Cluster.Serialization;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Results;

/// <summary>
/// The plain, queryable result tables next to the journal (sweeps, trials, trajectory), so that
/// export, report and SQL users never decode journal blobs. Every write is an upsert keyed by
/// (sweep, trial[, epoch]): a re-run attempt overwrites the rows of the one it replaces, it never
/// adds duplicates. Columns have single owners: the coordinator writes status and attempts, the
/// trial recorder writes metrics.
/// </summary>
public sealed class ResultsStore
{
    public const string FileName = "results.db";

    private readonly string _connectionString;
    private bool _schemaReady;

    public ResultsStore(string storeDirectory)
    {
        Path = System.IO.Path.Combine(storeDirectory, FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    public bool Exists => File.Exists(Path);

    /// <summary>Where a completed trial's final weights are kept: weights/&lt;sweep&gt;/&lt;trial&gt;.pt next to the tables.</summary>
    /// <summary>A running trial's checkpoint (checkpoints/SWEEP/TRIAL.ckpt), kept until its outcome is stored.</summary>
    public string CheckpointPath(string sweep, string trial) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "checkpoints", sweep, $"{trial}.ckpt");

    public string WeightsPath(string sweep, string trial) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "weights", sweep, $"{trial}.pt");

    /// <summary>The sweep file a sweep was submitted with, as stored.</summary>
    public SweepSpec LoadSweep(string sweep)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT spec_json FROM sweeps WHERE sweep = $sweep;";
        command.Parameters.AddWithValue("$sweep", sweep);
        var json = command.ExecuteScalar() as string ?? throw new InvalidOperationException($"sweep {sweep} is not in the store");
        return JsonSerializer.Deserialize<SweepSpec>(json, SweepGridSerializer.Json)
            ?? throw new InvalidOperationException($"sweep {sweep}: stored sweep file is empty");
    }

    /// <summary>The sweeps holding a trial id, with the trial's status there.</summary>
    public IReadOnlyList<(string Sweep, string Status)> FindTrial(string trial)
    {
        if (!Exists) return [];
        EnsureSchema();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sweep, status FROM trials WHERE trial = $trial ORDER BY sweep;";
        command.Parameters.AddWithValue("$trial", trial);
        using var reader = command.ExecuteReader();
        var found = new List<(string, string)>();
        while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1)));
        return found;
    }

    public void WriteInterpolation(string sweep, string trialA, string trialB, IEnumerable<(double Alpha, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc)> points)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "DELETE FROM interpolations WHERE sweep = $sweep AND trial_a = $a AND trial_b = $b;",
            ("$sweep", sweep), ("$a", trialA), ("$b", trialB));
        foreach (var p in points)
        {
            Execute(connection, transaction, """
                INSERT INTO interpolations (sweep, trial_a, trial_b, alpha, train_loss, train_acc, test_loss, test_acc)
                VALUES ($sweep, $a, $b, $alpha, $trainLoss, $trainAcc, $testLoss, $testAcc);
                """,
                // Far outside the segment the loss can overflow to NaN/Inf: stored as NULL.
                ("$sweep", sweep), ("$a", trialA), ("$b", trialB), ("$alpha", p.Alpha), ("$trainLoss", Finite(p.TrainLoss)),
                ("$trainAcc", Finite(p.TrainAcc)), ("$testLoss", Finite(p.TestLoss)), ("$testAcc", Finite(p.TestAcc)));
        }

        transaction.Commit();
    }

    /// <summary>Creates or brings up to date the tables; once per instance, however many reads ask.</summary>
    public void EnsureSchema()
    {
        if (_schemaReady) return;
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode = WAL;");
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS sweeps (
              sweep TEXT PRIMARY KEY,
              spec_json TEXT NOT NULL,
              submitted_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS trials (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, ordinal INTEGER NOT NULL,
              status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,
              batch_size INTEGER NOT NULL, grid_learning_rate REAL NOT NULL, learning_rate REAL NOT NULL,
              lr_scaling TEXT NOT NULL, regime_adaptation INTEGER NOT NULL,
              ghost_batch_size INTEGER NOT NULL, regularizer TEXT NOT NULL, regularizer_strength REAL NOT NULL,
              seed INTEGER NOT NULL, epochs INTEGER NOT NULL,
              model TEXT NOT NULL DEFAULT '', optimizer TEXT NOT NULL DEFAULT '', schedule TEXT NOT NULL DEFAULT '',
              steps INTEGER, train_loss REAL, train_acc REAL, test_loss REAL, test_acc REAL,
              weight_distance REAL, seconds REAL,
              PRIMARY KEY (sweep, trial));
            CREATE TABLE IF NOT EXISTS trajectory (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, epoch INTEGER NOT NULL, step INTEGER NOT NULL,
              learning_rate REAL NOT NULL, train_loss REAL NOT NULL, train_acc REAL NOT NULL,
              test_loss REAL NOT NULL, test_acc REAL NOT NULL, weight_distance REAL NOT NULL, seconds REAL NOT NULL,
              PRIMARY KEY (sweep, trial, epoch));
            CREATE TABLE IF NOT EXISTS points (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL,
              learning_rate REAL NOT NULL, batch_loss REAL, grad_norm REAL, weight_distance REAL NOT NULL,
              step_length REAL, path_length REAL,
              PRIMARY KEY (sweep, trial, step));
            CREATE TABLE IF NOT EXISTS layer_distances (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step INTEGER NOT NULL, layer TEXT NOT NULL, weight_distance REAL NOT NULL,
              PRIMARY KEY (sweep, trial, step, layer));
            CREATE TABLE IF NOT EXISTS walks (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step INTEGER NOT NULL,
              floor REAL NOT NULL, floor_position REAL NOT NULL, height REAL NOT NULL,
              PRIMARY KEY (sweep, trial, step));
            CREATE TABLE IF NOT EXISTS walk_curves (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, step INTEGER NOT NULL, alpha REAL NOT NULL, loss REAL NOT NULL,
              PRIMARY KEY (sweep, trial, step, alpha));
            CREATE TABLE IF NOT EXISTS interpolations (
              sweep TEXT NOT NULL, trial_a TEXT NOT NULL, trial_b TEXT NOT NULL, alpha REAL NOT NULL,
              train_loss REAL, train_acc REAL, test_loss REAL, test_acc REAL,
              PRIMARY KEY (sweep, trial_a, trial_b, alpha));
            CREATE TABLE IF NOT EXISTS flatness (
              sweep TEXT NOT NULL, trial TEXT NOT NULL, epoch INTEGER NOT NULL, metric TEXT NOT NULL,
              value REAL, seconds REAL NOT NULL, iterations INTEGER NOT NULL,
              PRIMARY KEY (sweep, trial, epoch, metric));
            """);
        AddMissingColumns(connection, "trials", AddedTrialColumns);
        _schemaReady = true;
    }

    /// <summary>Columns added after the first release of the schema, with their definitions.</summary>
    private static readonly (string Name, string Definition)[] AddedTrialColumns =
    [
        ("model", "TEXT NOT NULL DEFAULT ''"),
        ("optimizer", "TEXT NOT NULL DEFAULT ''"),
        ("schedule", "TEXT NOT NULL DEFAULT ''"),
        ("log_fit_a", "REAL"),
        ("log_fit_b", "REAL"),
        ("log_fit_r2", "REAL"),
        ("slot", "TEXT"),
        ("resumed_from_epoch", "INTEGER"),
        ("outcome_attempt", "INTEGER"),
        ("outcome_status", "TEXT"),
        ("outcome_reason", "TEXT"),
    ];

    /// <summary>Brings a store written by an earlier version up to date: CREATE IF NOT EXISTS adds no columns.</summary>
    private static void AddMissingColumns(SqliteConnection connection, string table, (string Name, string Definition)[] columns)
    {
        var existing = new HashSet<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"PRAGMA table_info({table});";
            using var reader = command.ExecuteReader();
            while (reader.Read()) existing.Add(reader.GetString(1));
        }

        foreach (var (name, definition) in columns.Where(c => !existing.Contains(c.Name)))
        {
            Execute(connection, null, $"ALTER TABLE {table} ADD COLUMN {name} {definition};");
        }
    }

    public void SaveSweep(SweepSpec spec)
    {
        using var connection = Open();
        Execute(connection, null, """
            INSERT INTO sweeps (sweep, spec_json, submitted_at) VALUES ($sweep, $spec, $at)
            ON CONFLICT (sweep) DO UPDATE SET spec_json = excluded.spec_json;
            """,
            ("$sweep", spec.Name), ("$spec", JsonSerializer.Serialize(spec, SweepGridSerializer.Json)),
            ("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
    }

    /// <summary>Adds pending rows for trials not yet in the table; existing rows are left as they are.</summary>
    public void RegisterTrials(IReadOnlyList<TrialSpec> trials)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        foreach (var t in trials)
        {
            Execute(connection, transaction, """
                INSERT INTO trials (sweep, trial, ordinal, status, batch_size, grid_learning_rate, learning_rate,
                  lr_scaling, regime_adaptation, ghost_batch_size, regularizer, regularizer_strength, seed, epochs,
                  model, optimizer, schedule)
                VALUES ($sweep, $trial, (SELECT COUNT(*) FROM trials WHERE sweep = $sweep), 'pending', $batch, $gridLr, $lr,
                  $scaling, $ra, $ghost, $regularizer, $strength, $seed, $epochs, $model, $optimizer, $schedule)
                ON CONFLICT (sweep, trial) DO NOTHING;
                """,
                ("$sweep", t.SweepName), ("$trial", t.TrialId), ("$batch", t.BatchSize), ("$gridLr", t.GridLearningRate),
                ("$lr", t.LearningRate), ("$scaling", t.LrScaling.ToString().ToLowerInvariant()), ("$ra", t.RegimeAdaptation ? 1 : 0),
                ("$ghost", t.GhostBatchSize), ("$regularizer", t.Regularizer), ("$strength", t.RegularizerStrength),
                ("$seed", t.Seed), ("$epochs", t.Epochs), ("$model", TrialText.Model(t)), ("$optimizer", TrialText.Optimizer(t)),
                ("$schedule", TrialText.Schedule(t)));
        }

        transaction.Commit();
    }

    /// <param name="slot">The slot running the trial; only meaningful while it runs.</param>
    public void SetStatus(string sweep, string trial, TrialStatus status, int attempts, string? reason, string? slot = null)
    {
        using var connection = Open();
        Execute(connection, null,
            "UPDATE trials SET status = $status, attempts = $attempts, reason = $reason, slot = $slot WHERE sweep = $sweep AND trial = $trial;",
            ("$sweep", sweep), ("$trial", trial), ("$status", StatusName(status)), ("$attempts", attempts), ("$reason", reason), ("$slot", slot));
    }

    /// <summary>Trials per status for each sweep (or one sweep), sweeps in submission order.</summary>
    public IReadOnlyList<(string Sweep, string SubmittedAt, IReadOnlyDictionary<string, int> Counts)> StatusCounts(string? sweep)
    {
        if (!Exists) return [];
        EnsureSchema();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.sweep, s.submitted_at, t.status, COUNT(t.trial) FROM sweeps s LEFT JOIN trials t ON t.sweep = s.sweep
            WHERE $sweep IS NULL OR s.sweep = $sweep GROUP BY s.sweep, t.status ORDER BY s.submitted_at, s.sweep;
            """;
        command.Parameters.AddWithValue("$sweep", (object?)sweep ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string, IReadOnlyDictionary<string, int>)>();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            if (result.Count == 0 || result[^1].Item1 != name) result.Add((name, reader.GetString(1), new Dictionary<string, int>()));
            if (!reader.IsDBNull(2)) ((Dictionary<string, int>)result[^1].Item3)[reader.GetString(2)] = reader.GetInt32(3);
        }

        return result;
    }

    public void WriteEpoch(string sweep, string trial, EpochRecord e)
    {
        using var connection = Open();
        Execute(connection, null, """
            INSERT INTO trajectory (sweep, trial, epoch, step, learning_rate, train_loss, train_acc, test_loss, test_acc, weight_distance, seconds)
            VALUES ($sweep, $trial, $epoch, $step, $lr, $trainLoss, $trainAcc, $testLoss, $testAcc, $distance, $seconds)
            ON CONFLICT (sweep, trial, epoch) DO UPDATE SET step = excluded.step, learning_rate = excluded.learning_rate,
              train_loss = excluded.train_loss, train_acc = excluded.train_acc, test_loss = excluded.test_loss,
              test_acc = excluded.test_acc, weight_distance = excluded.weight_distance, seconds = excluded.seconds;
            """,
            ("$sweep", sweep), ("$trial", trial), ("$epoch", e.Epoch), ("$step", e.Step), ("$lr", e.LearningRate),
            ("$trainLoss", e.TrainLoss), ("$trainAcc", e.TrainAccuracy), ("$testLoss", e.TestLoss), ("$testAcc", e.TestAccuracy),
            ("$distance", e.WeightDistance), ("$seconds", e.Seconds));
    }

    public void WritePoints(string sweep, string trial, IReadOnlyList<TrajectoryPoint> points)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        foreach (var p in points)
        {
            Execute(connection, transaction, """
                INSERT OR REPLACE INTO points (sweep, trial, step, epoch, learning_rate, batch_loss, grad_norm, weight_distance, step_length, path_length)
                VALUES ($sweep, $trial, $step, $epoch, $lr, $loss, $grad, $distance, $stepLength, $path);
                """,
                ("$sweep", sweep), ("$trial", trial), ("$step", p.Step), ("$epoch", p.Epoch), ("$lr", p.LearningRate),
                ("$loss", Finite(p.BatchLoss)), ("$grad", Finite(p.GradientNorm)), ("$distance", p.WeightDistance),
                ("$stepLength", Finite(p.StepLength)), ("$path", Finite(p.PathLength)));
            foreach (var (layer, distance) in p.LayerDistances)
            {
                Execute(connection, transaction,
                    "INSERT OR REPLACE INTO layer_distances (sweep, trial, step, layer, weight_distance) VALUES ($sweep, $trial, $step, $layer, $distance);",
                    ("$sweep", sweep), ("$trial", trial), ("$step", p.Step), ("$layer", layer), ("$distance", distance));
            }
        }

        transaction.Commit();
    }

    public void WriteFlatness(string sweep, string trial, FlatnessRecord f)
    {
        using var connection = Open();
        Execute(connection, null, """
            INSERT OR REPLACE INTO flatness (sweep, trial, epoch, metric, value, seconds, iterations)
            VALUES ($sweep, $trial, $epoch, $metric, $value, $seconds, $iterations);
            """,
            ("$sweep", sweep), ("$trial", trial), ("$epoch", f.Epoch), ("$metric", f.Metric), ("$value", Finite(f.Value)),
            ("$seconds", f.Seconds), ("$iterations", f.Iterations));
    }

    public void WriteWalk(string sweep, string trial, WalkRecord w)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, """
            INSERT OR REPLACE INTO walks (sweep, trial, step, floor, floor_position, height)
            VALUES ($sweep, $trial, $step, $floor, $position, $height);
            """,
            ("$sweep", sweep), ("$trial", trial), ("$step", w.Step), ("$floor", w.Floor), ("$position", w.FloorPosition), ("$height", w.Height));
        foreach (var (alpha, loss) in w.Alphas.Zip(w.Losses))
        {
            Execute(connection, transaction,
                "INSERT OR REPLACE INTO walk_curves (sweep, trial, step, alpha, loss) VALUES ($sweep, $trial, $step, $alpha, $loss);",
                ("$sweep", sweep), ("$trial", trial), ("$step", w.Step), ("$alpha", alpha), ("$loss", loss));
        }

        transaction.Commit();
    }

    /// <summary>SQLite has no NaN: a value not measured (or not finite) is stored as NULL.</summary>
    private static object? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// The final metrics of a trial. Trajectory rows past the final epoch (left by an earlier attempt
    /// that got further before it was lost) are removed, so the trajectory is exactly this attempt's.
    /// </summary>
    /// <summary>
    /// Stores an attempt's outcome. The attempt and status are kept apart from the coordinator's status
    /// column: they say what the recorder stored, which a restarted coordinator trusts over a lost report.
    /// </summary>
    public void WriteOutcome(string sweep, string trial, TrialOutcome outcome, int attempt)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var f = outcome.Final;
        Execute(connection, transaction, """
            UPDATE trials SET steps = $steps, train_loss = $trainLoss, train_acc = $trainAcc, test_loss = $testLoss,
              test_acc = $testAcc, weight_distance = $distance, seconds = $seconds,
              log_fit_a = $fitA, log_fit_b = $fitB, log_fit_r2 = $fitR2, resumed_from_epoch = $resumed,
              outcome_attempt = $attempt, outcome_status = $status, outcome_reason = $reason
            WHERE sweep = $sweep AND trial = $trial;
            """,
            ("$sweep", sweep), ("$trial", trial), ("$steps", outcome.Steps), ("$trainLoss", f?.TrainLoss),
            ("$trainAcc", f?.TrainAccuracy), ("$testLoss", f?.TestLoss), ("$testAcc", f?.TestAccuracy),
            ("$distance", f?.WeightDistance), ("$seconds", outcome.Seconds),
            ("$fitA", outcome.DistanceFit?.A), ("$fitB", outcome.DistanceFit?.B), ("$fitR2", outcome.DistanceFit?.R2),
            ("$resumed", outcome.ResumedFromEpoch), ("$attempt", attempt), ("$status", StatusName(outcome.Status)), ("$reason", outcome.Reason));
        Execute(connection, transaction, "DELETE FROM trajectory WHERE sweep = $sweep AND trial = $trial AND epoch > $last;",
            ("$sweep", sweep), ("$trial", trial), ("$last", f?.Epoch ?? 0));
        foreach (var table in new[] { "points", "layer_distances", "walks", "walk_curves" })
        {
            Execute(connection, transaction, $"DELETE FROM {table} WHERE sweep = $sweep AND trial = $trial AND step > $steps;",
                ("$sweep", sweep), ("$trial", trial), ("$steps", outcome.Steps));
        }
        transaction.Commit();
    }

    public IReadOnlyList<string> Sweeps()
    {
        if (!Exists) return [];
        // A store written by an earlier version gets its added columns before anything reads rows.
        EnsureSchema();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sweep FROM sweeps ORDER BY submitted_at;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Rows of a table for one sweep, as column → value, in a stable order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string table, string sweep)
    {
        string Ordinal(string t) => $"(SELECT ordinal FROM trials t WHERE t.sweep = {t}.sweep AND t.trial = {t}.trial)";
        var order = table switch
        {
            "trials" => "ordinal",
            "trajectory" => $"{Ordinal("trajectory")}, epoch",
            "points" => $"{Ordinal("points")}, step",
            "layer_distances" => $"{Ordinal("layer_distances")}, step, layer",
            "flatness" => $"{Ordinal("flatness")}, epoch, metric",
            "walks" => $"{Ordinal("walks")}, step",
            "walk_curves" => $"{Ordinal("walk_curves")}, step, alpha",
            "interpolations" => "trial_a, trial_b, alpha",
            _ => throw new ArgumentException($"unknown table {table}", nameof(table)),
        };
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} WHERE sweep = $sweep ORDER BY {order};";
        command.Parameters.AddWithValue("$sweep", sweep);
        using var reader = command.ExecuteReader();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(reader.FieldCount);
            for (int i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The outcome a trial's recorder stored: (attempt, status, reason), or null if none yet.</summary>
    public (int Attempt, TrialStatus Status, string? Reason)? StoredOutcome(string sweep, string trial)
    {
        EnsureSchema();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT outcome_attempt, outcome_status, outcome_reason FROM trials WHERE sweep = $sweep AND trial = $trial AND outcome_attempt IS NOT NULL;";
        command.Parameters.AddWithValue("$sweep", sweep);
        command.Parameters.AddWithValue("$trial", trial);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return (reader.GetInt32(0), Enum.Parse<TrialStatus>(reader.GetString(1), ignoreCase: true), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    public static string StatusName(TrialStatus status) => status.ToString().ToLowerInvariant();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}
