using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SweepGrid.Cli.Tests;

/// <summary>
/// A store on a disk that fills up: out of space while writing a checkpoint was charged to the trial
/// (2 of 3 attempts in 2 s), every trial ended failed; a journal write was retried for ever and `run`
/// never ended; and at exit the log file's last flush threw (SIGABRT). The store's fault is now nobody's:
/// the run stops within seconds, says so once, charges nothing, and `resume` after space is freed finishes
/// every trial exactly once. The disk is a small tmpfs this test mounts (it must run as root, as CI does).
/// </summary>
public sealed class StoreFullTests : TempDirectoryTest
{
    private string Disk => Path.Combine(Dir, "disk");

    private string Store => Path.Combine(Disk, "store");

    /// <summary>
    /// Its checkpoints (about 13 MB each) cannot fit in 8 MB, so the first one to be written finds the disk full,
    /// before the databases (kilobytes by then) can. With 24 MB, the first checkpoint fit and whichever writer came
    /// next found the disk full: a run beside a busy core had SQLite find it first, and the reason was SQLite's.
    /// </summary>
    [Fact]
    public Task A_checkpoint_that_finds_the_store_full_stops_the_run_charging_nothing_and_resume_then_finishes_every_trial_once() =>
        FillsUpThenResumes("""
            sweep {
              name = full
              dataset { name = synthetic, synthetic { train-size = 1024, test-size = 256, features = 64, classes = 4 } }
              model { hidden = [1024, 1024] }
              base { batch-size = 32, learning-rate = 0.02, epochs = 4 }
              grid { seed = [1, 2, 3, 4] }
              metrics { flatness = [] }
            }
            """, size: "8m", says: "No space left on device : '");

    /// <summary>
    /// No checkpoints, a tiny model, a trajectory point every step: the journal and the result tables
    /// (about 1 kB a point between them) fill 1 MB within the first trials' first seconds. The run must
    /// stop then, for the database's reason: before, it went on until a trial's weights found the disk
    /// full (600 epochs here; a long trial kept it going for as long as it trained).
    /// </summary>
    [Fact]
    public Task A_journal_or_table_that_finds_the_store_full_stops_the_run_charging_nothing_and_resume_then_finishes_every_trial_once() =>
        FillsUpThenResumes("""
            sweep {
              name = full
              dataset { name = synthetic, synthetic { train-size = 256, test-size = 64, features = 8, classes = 4 } }
              model { hidden = [8] }
              base { batch-size = 32, learning-rate = 0.02, epochs = 600 }
              grid { seed = [1, 2, 3, 4] }
              checkpoint { every-epochs = 0 }
              metrics { every-steps = 1, flatness = [] }
            }
            """, size: "1m", says: "SQLite Error 13: 'database or disk is full'");

    /// <param name="says">What the store said when it was full, in the run's one line.</param>
    private async Task FillsUpThenResumes(string sweep, string size, string says)
    {
        var file = Path.Combine(Dir, "full.hocon");
        File.WriteAllText(file, sweep);
        Directory.CreateDirectory(Disk);
        Mount("-t", "tmpfs", "-o", $"size={size}", "tmpfs", Disk);
        try
        {
            var clock = Stopwatch.StartNew();
            // Before the fix the run never ended: fail the test instead of hanging it.
            var full = await CliRunner.Run("run", file, "--store", Store, "--quiet").WaitAsync(TimeSpan.FromMinutes(3));
            var stoppedAfter = clock.Elapsed;
            SqliteConnection.ClearAllPools();
            var charged = Count("journal.db", "SELECT count(*) FROM journal WHERE manifest = 'trial-attempt-failed'");
            var failed = Count("results.db", "SELECT count(*) FROM trials WHERE status = 'failed'");

            Mount("-o", "remount,size=256m", Disk);
            var resumed = await CliRunner.Run("resume", "full", "--store", Store, "--quiet");
            SqliteConnection.ClearAllPools();

            Assert.True(full.ExitCode == 1, $"exit {full.ExitCode}: {full.Error}");
            Assert.Contains($"error: store {Store}: no space left on device ({says}", full.Error);
            Assert.Contains("no trial was charged for it: free space, then `sweepgrid resume full` finishes the sweep", full.Error);
            Assert.DoesNotContain("Unhandled exception", full.Error);
            Assert.True(stoppedAfter < TimeSpan.FromMinutes(2), $"the run took {stoppedAfter} to stop");
            Assert.Equal((0L, 0L), (charged, failed));
            Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);
            Assert.Contains("sweep full: 4 completed, 0 diverged, 0 failed", resumed.Output);
            // Every trial's outcome journaled once, however many attempts it took.
            Assert.Equal(4, Count("journal.db", "SELECT count(DISTINCT persistence_id) FROM journal WHERE manifest = 'outcome-recorded'"));
            Assert.Equal(4, Count("journal.db", "SELECT count(*) FROM journal WHERE manifest = 'outcome-recorded'"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Unmount(Disk);
        }
    }

    private long Count(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, database)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static void Mount(params string[] args) => Run("mount", args);

    private static void Unmount(string path) => Run("umount", "-l", path);

    /// <summary>mount or umount: this test mounts a small tmpfs and needs root, as CI has.</summary>
    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed ({error.Trim()}): this test mounts a small tmpfs and needs root");
    }
}
