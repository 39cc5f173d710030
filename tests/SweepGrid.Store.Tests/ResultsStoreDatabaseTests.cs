using SweepGrid.Store.Databases;

using SweepGrid.Core.Results;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Store.Tests;

/// <summary>
/// The result tables on both databases: the same writes give the same rows, value for value and type
/// for type, from SQLite (the embedded store) and from a real PostgreSQL 15 server (a cluster's store).
/// </summary>
public sealed class ResultsStoreDatabaseTests : IClassFixture<PostgresServer>, IDisposable
{
    private readonly PostgresServer _server;
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-db-").FullName;

    public ResultsStoreDatabaseTests(PostgresServer server) => _server = server;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private ResultsStore Sqlite() => new(Path.Combine(_dir, "sqlite"));

    private ResultsStore Postgres() => new StoreLocation(Path.Combine(_dir, "pg"), _server.CreateDatabase()).OpenResults();

    private static readonly string[] Tables = ["trials", "epochs", "points", "layer_distances", "flatness", "walks", "walk_curves", "interpolations", "spectrum"];

    /// <summary>Everything a sweep writes, including the same reports twice (a re-sent report) and an outcome that trims a longer earlier attempt.</summary>
    private static void WriteSweep(ResultsStore store)
    {
        Directory.CreateDirectory(store.Directory);
        store.EnsureSchema();
        var trials = TestStores.Trials("both", seeds: 3, epochs: 3);
        store.Write.Sweep(Core.Sweeps.SweepFile.Parse("""
            sweep { name = both, dataset { name = synthetic }, base { batch-size = 32, learning-rate = 0.05, epochs = 3 }, grid { seed = [1, 2, 3] } }
            """, "both.hocon"));
        store.Register(trials);
        store.Register(trials); // known trials are left alone
        var (a, b) = (trials[0].TrialId, trials[1].TrialId);
        store.Write.Status("both", a, TrialStatus.Running, 2, null, "node:1/slot-0");
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            var record = new EpochRecord(epoch, epoch * 8L, 0.05, 1.0 / epoch, 0.5 + epoch / 10.0, 1.2 / epoch, 0.45 + epoch / 10.0, epoch * 0.7, epoch * 1.5);
            store.Write.Epoch("both", a, 2, record);
            store.Write.Epoch("both", a, 2, record);
            var points = new[] { 1L, 4L }.Select(s => new TrajectoryPoint(
                (epoch - 1) * 8 + s, epoch, 0.05, 0.9 / s, s == 1 ? double.NaN : 2.5, 0.1 * s, 0.01, 0.2 * s,
                new Dictionary<string, double> { ["fc1.weight"] = 0.3 * s, ["fc2.weight"] = 0.2 * s })
            {
                // A test evaluation (metrics.eval-every-steps) on every second point.
                TestLoss = s == 4 ? 1.0 / epoch : double.NaN,
                TestAccuracy = s == 4 ? 0.5 + epoch / 10.0 : double.NaN,
            }).ToList();
            store.Write.Points("both", a, 2, points);
            store.Write.Points("both", a, 2, points);
        }

        store.Write.Flatness("both", a, 2, new FlatnessRecord(3, "hessian-top", 12.5, 0.8, 20));
        store.Write.Flatness("both", a, 2, new FlatnessRecord(3, "sharpness", double.NaN, 0.3, 0));
        store.Write.Flatness("both", a, 2, new FlatnessRecord(3, "hessian-trace", 150.5, 0.5, 21, StandardError: 12.25));
        store.Write.Walk("both", a, 2, new WalkRecord(16, [-0.5, 0, 0.5, 1, 1.5], [0.9, 0.7, 0.6, 0.65, 0.8]));
        // An earlier attempt's spectrum of epoch 3 had more nodes; the last one written is the epoch's whole spectrum.
        store.Write.Spectrum("both", a, 2, new SpectrumRecord(3, [new(0, -0.5, 0.1), new(0, 2, 0.5), new(0, 40, 0.4), new(1, 1, 1)]));
        store.Write.Spectrum("both", a, 2, new SpectrumRecord(3, [new(0, -0.25, 0.2), new(0, 38.5, 0.8), new(1, 3, 0.6), new(1, 0.5, 0.4)]));
        store.Write.Spectrum("both", a, 2, new SpectrumRecord(4, [new(0, 9, 1)])); // the earlier attempt's 4th epoch: trimmed below
        store.Write.Interpolation("both", a, b, [(0.0, 0.5, 0.8, 0.6, 0.75), (2.0, double.PositiveInfinity, 0.1, double.NaN, 0.1)]);
        // The final attempt ended after epoch 3 (step 24): the 4th epoch and later steps were an earlier attempt's.
        var final = new EpochRecord(3, 24, 0.05, 0.33, 0.8, 0.4, 0.75, 2.1, 4.5);
        store.Write.Outcome("both", a, new TrialOutcome(TrialStatus.Completed, final, 24, 4.5, null, new LogFit(0.5, 0.1, 0.9, 5)) { ResumedFromEpoch = 2 }, attempt: 2);
        store.Write.Status("both", a, TrialStatus.Completed, 2, null);
        store.Write.Outcome("both", b, new TrialOutcome(TrialStatus.Diverged, null, 3, 0.2, "loss is NaN at step 3"), attempt: 1);
        store.Write.Status("both", b, TrialStatus.Diverged, 1, "loss is NaN at step 3");
    }

    [Fact]
    public void A_store_opened_read_only_reads_everything_and_its_database_refuses_every_write()
    {
        var sqliteDir = Path.Combine(_dir, "sqlite");
        var connection = _server.CreateDatabase();
        WriteSweep(Sqlite());
        WriteSweep(new StoreLocation(Path.Combine(_dir, "pg"), connection).OpenResults());

        foreach (var reader in new[] { new StoreLocation(sqliteDir, null).OpenResults(readOnly: true), new StoreLocation(Path.Combine(_dir, "pg"), connection).OpenResults(readOnly: true) })
        {
            reader.EnsureSchema();
            Assert.Equal(3, reader.Read.Rows("trials", "both").Count);
            var refused = Record.Exception(() => reader.Write.Status("both", reader.Read.Rows("trials", "both")[0]["trial"]!.ToString()!, TrialStatus.Failed, 9, "not allowed"));
            Assert.NotNull(refused);
            Assert.Contains("read", refused.GetBaseException().Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(reader.Read.Rows("trials", "both"), r => r["status"] as string == "failed");
        }
    }

    [Fact]
    public void A_read_only_store_that_is_not_SweepGrids_is_refused_before_anything_is_read()
    {
        var connection = _server.CreateDatabase();
        using (var c = new Npgsql.NpgsqlConnection(connection))
        {
            c.Open();
            using var command = new Npgsql.NpgsqlCommand("CREATE TABLE sweeps (id INT); CREATE TABLE trials (id INT);", c);
            command.ExecuteNonQuery();
        }

        var store = new StoreLocation(Path.Combine(_dir, "pg"), connection).OpenResults(readOnly: true);

        var error = Assert.Throws<StoreFormatException>(store.EnsureSchema);
        Assert.Contains("its table sweeps lacks sweep, spec_json, submitted_at", error.Message, StringComparison.Ordinal);
        Assert.False(error.Upgradable);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void A_store_whose_epochs_table_is_still_called_trajectory_is_read_only_after_it_is_renamed_with_its_rows(string kind)
    {
        var folder = Path.Combine(_dir, "old");
        var location = kind == "sqlite" ? new StoreLocation(folder) : new StoreLocation(folder, _server.CreateDatabase());
        var store = location.OpenResults();
        WriteSweep(store);
        int epochs = store.Read.Rows("epochs", "both").Count;
        using (var c = store.Database.Open())
        {
            using var command = c.CreateCommand();
            command.CommandText = "ALTER TABLE epochs RENAME TO trajectory;"; // as SweepGrid wrote it before 2026-12
            command.ExecuteNonQuery();
        }

        var readOnly = Assert.Throws<StoreFormatException>(location.OpenResults(readOnly: true).EnsureSchema);
        Assert.True(readOnly.Upgradable, readOnly.Message);
        Assert.Contains("epochs", readOnly.Message, StringComparison.Ordinal);
        location.OpenResults().EnsureSchema();

        var upgraded = location.OpenResults(readOnly: true);
        upgraded.EnsureSchema();
        Assert.True(epochs > 0);
        Assert.Equal(epochs, upgraded.Read.Epochs("both").Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void A_superseded_attempt_writes_nothing_once_the_coordinator_has_assigned_the_next_one(string kind)
    {
        var store = kind == "sqlite" ? Sqlite() : Postgres();
        WriteSweep(store); // trial a: attempt 2 ran and completed
        var a = (string)store.Read.Rows("trials", "both")[0]["trial"]!;
        store.Write.Status("both", a, TrialStatus.Running, 3, null, "node:2/slot-0"); // the coordinator gave it to attempt 3
        var before = Snapshot(store);

        var late = new EpochRecord(2, 16, 0.05, 9, 0.1, 9, 0.1, 9, 9);
        var refusals = new Action[]
        {
            () => store.Write.Epoch("both", a, 2, late),
            () => store.Write.Points("both", a, 2, [new TrajectoryPoint(16, 2, 0.05, 9, 9, 9, 9, 9, new Dictionary<string, double>())]),
            () => store.Write.Flatness("both", a, 2, new FlatnessRecord(3, "hessian-top", 99, 1, 1)),
            () => store.Write.Walk("both", a, 2, new WalkRecord(16, [0, 1], [9, 9])),
            () => store.Write.Spectrum("both", a, 2, new SpectrumRecord(3, [new(0, 99, 1)])),
            () => store.Write.Outcome("both", a, new TrialOutcome(TrialStatus.Diverged, late, 16, 1, "late"), attempt: 2),
        }.Select(write => Assert.Throws<AttemptSupersededException>(write)).ToList();

        Assert.All(refusals, e => Assert.Equal((2, 3), (e.Attempt, e.Assigned)));
        Assert.Contains("attempt 2 was superseded by attempt 3", refusals[0].Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(store));
        // The assigned attempt writes, and its rows say so.
        store.Write.Epoch("both", a, 3, late);
        Assert.Equal(3L, store.Read.Rows("epochs", "both", a).Single(r => (long)r["epoch"]! == 2)["attempt"]);
        Assert.Equal(2L, store.Read.Rows("epochs", "both", a).Single(r => (long)r["epoch"]! == 1)["attempt"]);
    }

    /// <summary>Every table's rows of the sweep, as text, in a stable order.</summary>
    private static List<(string Table, string Rows)> Snapshot(ResultsStore store) =>
        Tables.Select(t => (t, string.Join("\n", store.Read.Rows(t, "both").Select(r => string.Join(",", r.Select(kv => $"{kv.Key}={kv.Value}")))))).OrderBy(t => t.t).ToList();

    [Fact]
    public void PostgreSQL_holds_the_same_rows_as_SQLite()
    {
        var sqlite = Sqlite();
        var postgres = Postgres();
        WriteSweep(sqlite);
        WriteSweep(postgres);

        foreach (var table in Tables)
        {
            var expected = sqlite.Read.Rows(table, "both");
            var actual = postgres.Read.Rows(table, "both");
            Assert.True(expected.Count > 0, $"{table}: no rows written");
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                foreach (var (column, value) in expected[i])
                {
                    var other = actual[i][column];
                    Assert.True(Equals(value, other), $"{table} row {i} {column}: SQLite {value} ({value?.GetType().Name}), PostgreSQL {other} ({other?.GetType().Name})");
                }
            }
        }
    }

    [Fact]
    public void Reads_agree_on_both_databases()
    {
        foreach (var store in new[] { Sqlite(), Postgres() })
        {
            WriteSweep(store);
            var trials = store.Read.Rows("trials", "both");
            Assert.Equal(["both"], store.Read.Sweeps());
            Assert.Equal("both", store.Read.Sweep("both").Name);
            var counts = store.Read.StatusCounts(null).Single();
            Assert.Equal(1, counts.Counts["completed"]);
            Assert.Equal(1, counts.Counts["diverged"]);
            Assert.Equal(1, counts.Counts["pending"]);
            Assert.Equal(counts.Counts, store.Read.StatusCounts("both").Single().Counts);
            Assert.Equal((2, TrialStatus.Completed, (string?)null), store.Read.Outcome("both", (string)trials[0]["trial"]!));
            Assert.Null(store.Read.Outcome("both", (string)trials[2]["trial"]!));
            Assert.Equal([("both", "completed")], store.Read.FindTrial((string)trials[0]["trial"]!));
            Assert.Equal([0L, 1L, 2L], trials.Select(r => (long)r["ordinal"]!));
            // Re-submitting with one trial more numbers only the new one, after the others.
            store.Register(TestStores.Trials("both", seeds: 4, epochs: 3));
            var again = store.Read.Rows("trials", "both");
            Assert.Equal([0L, 1L, 2L, 3L], again.Select(r => (long)r["ordinal"]!));
            Assert.Equal(trials.Select(r => r["trial"]), again.Take(3).Select(r => r["trial"]));
            // The outcome trimmed the earlier attempt's 4th epoch and the steps past 24.
            Assert.Equal([1L, 2L, 3L], store.Read.Rows("epochs", "both").Select(r => (long)r["epoch"]!));
            Assert.True(store.Read.Rows("points", "both").All(r => (long)r["step"]! <= 24));
            Assert.Equal([null, 0.6, null, 0.7, null, 0.8], store.Read.Rows("points", "both").Select(r => (double?)r["test_acc"]).Select(v => v is { } x ? Math.Round(x, 12) : (double?)null));
            Assert.Equal([null, 1.0, null, 0.5], store.Read.Rows("points", "both").Take(4).Select(r => r["test_loss"]));
            Assert.Equal([null, 12.25, null], store.Read.Rows("flatness", "both").Select(r => r["standard_error"]));
            // The typed reads carry the same values, with the derived ones computed once.
            var typed = store.Read.Trials("both");
            Assert.Equal(again.Select(r => r["trial"]), typed.Select(t => (object)t.Trial));
            Assert.Equal(0.8 - 0.75, typed[0].Gap!.Value, 12);
            Assert.Equal(0.4 - 0.33, typed[0].LossGap!.Value, 12);
            Assert.Equal(2L, typed[0].ResumedFromEpoch);
            Assert.Equal([true, false, false, false], typed.Select(t => t.Finished));
            Assert.Equal([null, 0.6, null, 0.7, null, 0.8], store.Read.Points("both").Select(p => p.TestAccuracy is { } a ? Math.Round(a, 12) : (double?)null));
            Assert.Equal([3L, 3, 3], store.Read.Flatness("both").Select(f => f.Epoch));
            Assert.Equal(store.Read.Rows("spectrum", "both").Count, store.Read.Spectrum("both").Count);
            // One trial's rows, read on their own (the dashboard's trial page).
            Assert.Equal(typed[0], Assert.Single(store.Read.Trials("both", typed[0].Trial)));
            Assert.Equal(store.Read.Epochs("both").Where(e => e.Trial == typed[0].Trial), store.Read.Epochs("both", typed[0].Trial));
            Assert.Equal(6, store.Read.Points("both", typed[0].Trial).Count);
            Assert.Empty(store.Read.Flatness("both", typed[1].Trial));
            Assert.Empty(store.Read.Trials("both", "000000000000"));
            // The spectrum is the last one written for the epoch, run by run and node by node.
            Assert.Equal([(0L, 0L, -0.25, 0.2), (0L, 1L, 38.5, 0.8), (1L, 0L, 3.0, 0.6), (1L, 1L, 0.5, 0.4)],
                store.Read.Rows("spectrum", "both").Select(r => ((long)r["run"]!, (long)r["node"]!, (double)r["eigenvalue"]!, (double)r["weight"]!)));
        }
    }

    [Fact]
    public async Task A_write_while_PostgreSQL_restarts_waits_for_it_and_lands()
    {
        var store = Postgres();
        WriteSweep(store);
        var trial = (string)store.Read.Rows("trials", "both")[2]["trial"]!;
        _server.Stop();
        var write = Task.Run(() => store.Write.Epoch("both", trial, 1, new EpochRecord(1, 8, 0.05, 0.9, 0.6, 1.0, 0.55, 0.4, 1.0)));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(write.IsCompleted, "the write should be waiting for the database");
        _server.Resume();
        await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(store.Read.Rows("epochs", "both"), r => (string)r["trial"]! == trial && (long)r["epoch"]! == 1);
    }

    [Fact]
    public void A_write_that_keeps_failing_gives_up_after_its_retry_window()
    {
        var database = new PostgresResultsDatabase("Host=127.0.0.1;Port=1;Database=nothing;Username=postgres");
        var quick = new ResultsStore(Path.Combine(_dir, "gone"), database) { RetryFor = TimeSpan.FromSeconds(1) };
        var error = Assert.ThrowsAny<Exception>(quick.EnsureSchema);
        Assert.True(database.IsTransient(error), $"expected the connection failure itself, got {error.GetType().Name}: {error.Message}");
    }
}
