using System.Globalization;
using System.Text.Json;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// Every write to the result tables. Each is an upsert keyed by (sweep, trial[, epoch or step]), so a
/// re-run attempt overwrites the rows of the one it replaces and never adds duplicates, and a write
/// tried again after a failure is harmless. Columns have single owners: the coordinator writes status
/// and attempts (<see cref="Status"/>), the trial recorder writes metrics and the outcome.
/// A recorder's writes are fenced by their attempt: each runs in a transaction that first reads (and
/// locks) the attempt the coordinator last assigned, and refuses to write for an older one
/// (<see cref="AttemptSupersededException"/>). The coordinator writes the new attempt before it tells any
/// slot of it, so no row of a superseded attempt lands after its successor has started, however late
/// the superseded one's node wakes up. Each row records the attempt that wrote it.
/// </summary>
public sealed class ResultsWriter
{
    private readonly ResultsDatabase _database;
    private readonly StoreConnection _connection;

    internal ResultsWriter(ResultsDatabase database, StoreConnection connection)
    {
        _database = database;
        _connection = connection;
    }

    /// <summary>The sweep file a sweep was submitted with, and the priority it states (its first submission time is kept).</summary>
    public void Sweep(SweepSpec spec) => _connection.Execute("""
        INSERT INTO sweeps (sweep, spec_json, submitted_at, priority) VALUES (@sweep, @spec, @at, @priority)
        ON CONFLICT (sweep) DO UPDATE SET spec_json = excluded.spec_json, priority = excluded.priority;
        """,
        ("sweep", spec.Name), ("spec", JsonSerializer.Serialize(spec, SweepJson.Options)), ("priority", spec.PriorityOrDefault),
        ("at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));

    /// <summary>Whether the sweep is open, paused or cancelled, and its priority: what `status` and the dashboard show.</summary>
    public void Standing(string sweep, Core.Scheduling.SweepStanding standing, int priority) => _connection.Execute(
        "UPDATE sweeps SET standing = @standing, priority = @priority WHERE sweep = @sweep;",
        ("sweep", sweep), ("standing", StandingName(standing)), ("priority", priority));

    /// <summary>Every trial of the sweep in one status moves to another, in one statement (a cancel of 100,000 pending trials).</summary>
    public void MoveStatus(string sweep, TrialStatus from, TrialStatus to, string? reason) => _connection.Execute(
        "UPDATE trials SET status = @to, reason = @reason WHERE sweep = @sweep AND status = @from;",
        ("sweep", sweep), ("from", StatusName(from)), ("to", StatusName(to)), ("reason", reason));

    /// <summary>
    /// Adds pending rows for trials not yet in the table, numbered with their place in the sweep
    /// (<see cref="Core.Scheduling.TrialEntry.Ordinal"/>); existing rows are left as they are. One transaction,
    /// rows inserted as the database does it fastest (<see cref="ResultsDatabase.RowsPerInsert"/>):
    /// 100,000 trials take seconds, not minutes.
    /// </summary>
    public void Trials(string sweep, IEnumerable<(int Ordinal, TrialSpec Spec)> trials) => _connection.InTransaction((connection, transaction) =>
        Sql.InsertRows(connection, transaction, "trials", StoreSchema.TrialColumns, "ON CONFLICT (sweep, trial) DO NOTHING", trials.Select(e =>
        {
            var t = e.Spec;
            if (t.SweepName != sweep) throw new ArgumentException($"trial {t.TrialId} belongs to sweep {t.SweepName}, not {sweep}", nameof(trials));
            return new object?[]
            {
                t.SweepName, t.TrialId, e.Ordinal, "pending", t.BatchSize, t.GridLearningRate, t.LearningRate, t.LrScaling.ToString().ToLowerInvariant(),
                t.RegimeAdaptation ? 1 : 0, t.GhostBatchSize, t.Regularizer, t.RegularizerStrength, t.Seed, t.Epochs,
                TrialText.Model(t), TrialText.Optimizer(t), TrialText.Schedule(t),
            };
        }), _database.RowsPerInsert));

    /// <param name="slot">The slot running the trial; only meaningful while it runs.</param>
    public void Status(string sweep, string trial, TrialStatus status, int attempts, string? reason, string? slot = null) => _connection.Execute(
        "UPDATE trials SET status = @status, attempts = @attempts, reason = @reason, slot = @slot WHERE sweep = @sweep AND trial = @trial;",
        ("sweep", sweep), ("trial", trial), ("status", StatusName(status)), ("attempts", attempts), ("reason", reason), ("slot", slot));

    public void Epoch(string sweep, string trial, int attempt, EpochRecord e) => Fenced(sweep, trial, attempt, (connection, transaction) =>
        Sql.Execute(connection, """
            INSERT INTO epochs (sweep, trial, epoch, step, learning_rate, train_loss, train_acc, test_loss, test_acc, weight_distance, seconds, attempt)
            VALUES (@sweep, @trial, @epoch, @step, @lr, @trainLoss, @trainAcc, @testLoss, @testAcc, @distance, @seconds, @attempt)
            ON CONFLICT (sweep, trial, epoch) DO UPDATE SET step = excluded.step, learning_rate = excluded.learning_rate,
              train_loss = excluded.train_loss, train_acc = excluded.train_acc, test_loss = excluded.test_loss,
              test_acc = excluded.test_acc, weight_distance = excluded.weight_distance, seconds = excluded.seconds, attempt = excluded.attempt;
            """, transaction,
            ("sweep", sweep), ("trial", trial), ("epoch", e.Epoch), ("step", e.Step), ("lr", e.LearningRate),
            ("trainLoss", e.TrainLoss), ("trainAcc", e.TrainAccuracy), ("testLoss", e.TestLoss), ("testAcc", e.TestAccuracy),
            ("distance", e.WeightDistance), ("seconds", e.Seconds), ("attempt", attempt)));

    public void Points(string sweep, string trial, int attempt, IReadOnlyList<TrajectoryPoint> points) => Fenced(sweep, trial, attempt, (connection, transaction) =>
    {
        foreach (var p in points)
        {
            Sql.Execute(connection, """
                INSERT INTO points (sweep, trial, step, epoch, learning_rate, batch_loss, grad_norm, weight_distance, step_length, path_length,
                  test_loss, test_acc, attempt)
                VALUES (@sweep, @trial, @step, @epoch, @lr, @loss, @grad, @distance, @stepLength, @path, @testLoss, @testAcc, @attempt)
                ON CONFLICT (sweep, trial, step) DO UPDATE SET epoch = excluded.epoch, learning_rate = excluded.learning_rate,
                  batch_loss = excluded.batch_loss, grad_norm = excluded.grad_norm, weight_distance = excluded.weight_distance,
                  step_length = excluded.step_length, path_length = excluded.path_length,
                  test_loss = excluded.test_loss, test_acc = excluded.test_acc, attempt = excluded.attempt;
                """, transaction,
                ("sweep", sweep), ("trial", trial), ("step", p.Step), ("epoch", p.Epoch), ("lr", p.LearningRate),
                ("loss", Finite(p.BatchLoss)), ("grad", Finite(p.GradientNorm)), ("distance", p.WeightDistance),
                ("stepLength", Finite(p.StepLength)), ("path", Finite(p.PathLength)),
                ("testLoss", Finite(p.TestLoss)), ("testAcc", Finite(p.TestAccuracy)), ("attempt", attempt));
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

    public void Flatness(string sweep, string trial, int attempt, FlatnessRecord f) => Fenced(sweep, trial, attempt, (connection, transaction) =>
        Sql.Execute(connection, """
            INSERT INTO flatness (sweep, trial, epoch, metric, value, seconds, iterations, standard_error, attempt)
            VALUES (@sweep, @trial, @epoch, @metric, @value, @seconds, @iterations, @se, @attempt)
            ON CONFLICT (sweep, trial, epoch, metric) DO UPDATE SET value = excluded.value, seconds = excluded.seconds,
              iterations = excluded.iterations, standard_error = excluded.standard_error, attempt = excluded.attempt;
            """, transaction,
            ("sweep", sweep), ("trial", trial), ("epoch", f.Epoch), ("metric", f.Metric), ("value", Finite(f.Value)),
            ("seconds", f.Seconds), ("iterations", f.Iterations), ("se", f.StandardError is { } se ? Finite(se) : null), ("attempt", attempt)));

    public void Walk(string sweep, string trial, int attempt, WalkRecord w) => Fenced(sweep, trial, attempt, (connection, transaction) =>
    {
        Sql.Execute(connection, """
            INSERT INTO walks (sweep, trial, step, floor, floor_position, height, attempt) VALUES (@sweep, @trial, @step, @floor, @position, @height, @attempt)
            ON CONFLICT (sweep, trial, step) DO UPDATE SET floor = excluded.floor, floor_position = excluded.floor_position,
              height = excluded.height, attempt = excluded.attempt;
            """, transaction,
            ("sweep", sweep), ("trial", trial), ("step", w.Step), ("floor", w.Floor), ("position", w.FloorPosition), ("height", w.Height), ("attempt", attempt));
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
    public void Spectrum(string sweep, string trial, int attempt, SpectrumRecord spectrum) => Fenced(sweep, trial, attempt, (connection, transaction) =>
    {
        Sql.Execute(connection, "DELETE FROM spectrum WHERE sweep = @sweep AND trial = @trial AND epoch = @epoch;", transaction,
            ("sweep", sweep), ("trial", trial), ("epoch", spectrum.Epoch));
        Sql.InsertRows(connection, transaction, "spectrum", SpectrumColumns, "", spectrum.Nodes.GroupBy(n => n.Run).SelectMany(run =>
            run.Select((node, i) => new object?[] { sweep, trial, spectrum.Epoch, run.Key, i, node.Value, node.Weight, attempt })), _database.RowsPerInsert);
    });

    private static readonly string[] SpectrumColumns = ["sweep", "trial", "epoch", "run", "node", "eigenvalue", "weight", "attempt"];

    /// <summary>
    /// Stores an attempt's final metrics and outcome. The attempt and status are kept apart from the
    /// coordinator's status column: they say what the recorder stored, which a restarted coordinator
    /// trusts over a lost report. Epoch and spectrum rows past the final epoch (left by an earlier
    /// attempt that got further before it was lost) are removed, so they are exactly this attempt's.
    /// </summary>
    public void Outcome(string sweep, string trial, TrialOutcome outcome, int attempt) => Fenced(sweep, trial, attempt, (connection, transaction) =>
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
        foreach (var table in new[] { "epochs", "spectrum" })
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

    /// <summary>The losses and accuracies along the segment between two trials' final weights (`sweepgrid interpolate`), replacing any earlier ones.</summary>
    public void Interpolation(string sweep, string trialA, string trialB, IEnumerable<(double Alpha, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc)> points) =>
        _connection.InTransaction((connection, transaction) =>
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
    /// <paramref name="write"/> in one transaction, after reading and locking the attempt the coordinator
    /// last assigned the trial; for an older <paramref name="attempt"/> nothing is written. A trial with
    /// no row (a store written by hand) has no assignment to fence against.
    /// </summary>
    /// <exception cref="AttemptSupersededException">A newer attempt of the trial has been assigned.</exception>
    private void Fenced(string sweep, string trial, int attempt, Action<System.Data.Common.DbConnection, System.Data.Common.DbTransaction> write) =>
        _connection.InTransaction((connection, transaction) =>
        {
            using (var read = Sql.Command(connection, $"SELECT attempts FROM trials WHERE sweep = @sweep AND trial = @trial{_database.ForUpdate};", transaction,
                       ("sweep", sweep), ("trial", trial)))
            {
                if (read.ExecuteScalar() is { } value and not DBNull && Convert.ToInt64(value, CultureInfo.InvariantCulture) is var assigned && assigned > attempt)
                {
                    throw new AttemptSupersededException(sweep, trial, attempt, (int)assigned);
                }
            }

            write(connection, transaction);
        });

    /// <summary>A status as the tables spell it: completed, diverged, ...</summary>
    public static string StatusName(TrialStatus status) => status.ToString().ToLowerInvariant();

    public static string StandingName(Core.Scheduling.SweepStanding standing) => standing.ToString().ToLowerInvariant();

    /// <summary>Neither database stores NaN usefully (SQLite has none): a value not measured (or not finite) is stored as NULL.</summary>
    private static object? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>A write of a trial's attempt refused because the coordinator has since assigned a newer one: the writer is a zombie and must stop.</summary>
public sealed class AttemptSupersededException(string sweep, string trial, int attempt, int assigned)
    : Exception($"trial {trial} of sweep {sweep}: attempt {attempt} was superseded by attempt {assigned}; its results are not stored")
{
    public int Attempt { get; } = attempt;

    /// <summary>The attempt the coordinator last assigned.</summary>
    public int Assigned { get; } = assigned;
}
