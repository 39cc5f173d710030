using System.Globalization;
using System.Text.Json;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using SweepGrid.Store.Databases;

namespace SweepGrid.Store;

/// <summary>
/// Every read of the result tables: the one read model behind `status`, `summary`, `export`, `report`,
/// TensorBoard and the dashboard, so every view shows the same numbers. Rows come back typed
/// (<see cref="StoredRows"/>): a store is read, not trusted.
/// </summary>
public sealed class ResultsReader
{
    private readonly ResultsDatabase _database;
    private readonly StoreConnection _connection;
    private readonly StoreSchema _schema;

    internal ResultsReader(ResultsDatabase database, StoreConnection connection, StoreSchema schema)
    {
        _database = database;
        _connection = connection;
        _schema = schema;
    }

    /// <summary>The sweep file a sweep was submitted with, as stored.</summary>
    /// <summary>The sweep as last submitted, with the priority it has now (sweepgrid priority changes it after the submission).</summary>
    public SweepSpec Sweep(string sweep)
    {
        // A store written before the priority column gets it first.
        _schema.Ensure();
        return _connection.Run(connection => Sweep(connection, sweep));
    }

    private static SweepSpec Sweep(System.Data.Common.DbConnection connection, string sweep)
    {
        using var command = Sql.Command(connection, "SELECT spec_json, priority FROM sweeps WHERE sweep = @sweep;", parameters: ("sweep", sweep));
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0)) throw new InvalidOperationException($"sweep {sweep} is not in the store");
        var spec = JsonSerializer.Deserialize<SweepSpec>(reader.GetString(0), SweepJson.Options)
                   ?? throw new InvalidOperationException($"sweep {sweep}: stored sweep file is empty");
        // Read as data: a priority out of range is not one SweepGrid wrote, and the file's stands.
        return !reader.IsDBNull(1) && Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture) is var priority and >= SweepSpec.MinPriority and <= SweepSpec.MaxPriority
            ? spec with { Priority = (int)priority }
            : spec;
    }

    /// <summary>The sweeps in the store, in submission order.</summary>
    public IReadOnlyList<string> Sweeps()
    {
        if (!_database.Exists) return [];
        // A store written by an earlier version gets its added columns before anything reads rows.
        _schema.Ensure();
        return _connection.Query("SELECT sweep FROM sweeps ORDER BY submitted_at;", r => r.GetString(0));
    }

    /// <summary>The sweeps holding a trial id, with the trial's status there.</summary>
    public IReadOnlyList<(string Sweep, string Status)> FindTrial(string trial)
    {
        if (!_database.Exists) return [];
        _schema.Ensure();
        return _connection.Query("SELECT sweep, status FROM trials WHERE trial = @trial ORDER BY sweep;",
            r => (r.GetString(0), r.GetString(1)), ("trial", trial));
    }

    /// <summary>How many trials of the sweep the table holds.</summary>
    public long CountTrials(string sweep) =>
        _connection.Query("SELECT COUNT(*) FROM trials WHERE sweep = @sweep;", r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), ("sweep", sweep))[0];

    /// <summary>Trials per status for each sweep (or one sweep), sweeps in submission order.</summary>
    public IReadOnlyList<SweepStatus> StatusCounts(string? sweep)
    {
        if (!_database.Exists) return [];
        _schema.Ensure();
        // No "@sweep IS NULL OR ...": PostgreSQL cannot type a parameter that is only compared with NULL.
        var rows = _connection.Query($"""
            SELECT s.sweep, s.submitted_at, s.standing, s.priority, t.status, COUNT(t.trial) FROM sweeps s LEFT JOIN trials t ON t.sweep = s.sweep
            {(sweep is null ? "" : "WHERE s.sweep = @sweep")} GROUP BY s.sweep, s.submitted_at, s.standing, s.priority, t.status ORDER BY s.submitted_at, s.sweep;
            """,
            r => (Sweep: r.GetString(0), At: r.GetString(1), Standing: r.GetString(2), Priority: r.IsDBNull(3) ? (int?)null : Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture),
                Status: r.IsDBNull(4) ? null : r.GetString(4), Count: Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture)),
            ("sweep", sweep));
        var result = new List<SweepStatus>();
        foreach (var row in rows)
        {
            if (result.Count == 0 || result[^1].Sweep != row.Sweep)
            {
                // Written by SweepGrid, but read as data: a value it never writes shows as what it is not.
                var standing = SweepStatus.Standings.Contains(row.Standing) ? row.Standing : "unknown";
                result.Add(new SweepStatus(row.Sweep, row.At, standing, row.Priority, new Dictionary<string, int>()));
            }

            if (row.Status is not null) ((Dictionary<string, int>)result[^1].Counts)[row.Status] = row.Count;
        }

        return result;
    }

    /// <summary>Each trial's last stored epoch (trials with none are absent): how far a running trial has got.</summary>
    public IReadOnlyDictionary<string, long> LastEpochs(string sweep) =>
        _connection.Query("SELECT trial, MAX(epoch) FROM epochs WHERE sweep = @sweep GROUP BY trial;",
            r => (Trial: r.GetString(0), Epoch: Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)), ("sweep", sweep))
            .ToDictionary(x => x.Trial, x => x.Epoch);

    /// <summary>How many epoch evaluations the sweep has stored: grows with every epoch of every trial (what a live view polls).</summary>
    public long CountEpochs(string sweep) =>
        _connection.Query("SELECT COUNT(*) FROM epochs WHERE sweep = @sweep;", r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), ("sweep", sweep))[0];

    /// <summary>The sweep's trials in grid order, typed (<see cref="TrialRow"/>): what every view of a sweep reads.</summary>
    /// <param name="trial">Only this trial (none if the sweep lacks it), or all; so for the reads below.</param>
    public IReadOnlyList<TrialRow> Trials(string sweep, string? trial = null) => Rows("trials", sweep, trial).Select(StoredRows.Trial).ToList();

    /// <summary>Every epoch's evaluation, by trial (grid order) and epoch.</summary>
    public IReadOnlyList<EpochRow> Epochs(string sweep, string? trial = null) => Rows("epochs", sweep, trial).Select(StoredRows.Epoch).ToList();

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
            "epochs" => $"{Ordinal("epochs")}, epoch",
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
        return _connection.Query($"SELECT * FROM {table} WHERE {where} ORDER BY {order};", reader =>
        {
            var row = new Dictionary<string, object?>(reader.FieldCount);
            for (int i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            return (IReadOnlyDictionary<string, object?>)row;
        }, trial is null ? [("sweep", sweep)] : [("sweep", sweep), ("trial", trial)]);
    }

    /// <summary>The outcome a trial's recorder stored: (attempt, status, reason), or null if none yet.</summary>
    public (int Attempt, TrialStatus Status, string? Reason)? Outcome(string sweep, string trial)
    {
        _schema.Ensure();
        var found = _connection.Query(
            "SELECT outcome_attempt, outcome_status, outcome_reason FROM trials WHERE sweep = @sweep AND trial = @trial AND outcome_attempt IS NOT NULL;",
            r => (Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Enum.Parse<TrialStatus>(r.GetString(1), ignoreCase: true), r.IsDBNull(2) ? null : r.GetString(2)),
            ("sweep", sweep), ("trial", trial));
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>One round trip to the database, without the retries of a write: for health checks, which must answer now.</summary>
    public void Ping() => _connection.Once(connection =>
    {
        Sql.Execute(connection, "SELECT 1");
        return true;
    });
}
