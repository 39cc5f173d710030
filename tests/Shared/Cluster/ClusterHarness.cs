using Microsoft.Data.Sqlite;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Tests.Shared;

/// <summary>
/// Real `sweepgrid node` processes on 127.0.0.1 sharing one store folder, a real `submit` client, and
/// SIGKILL; the store's database is SQLite or PostgreSQL (the subclasses). Every process is given the
/// test's cluster certificate, as on a real cluster: remoting is mutual TLS. Whatever dies, every trial
/// ends completed exactly once, resumed trials pick up from their checkpoints, and no trajectory point
/// is missing or doubled.
/// </summary>
public abstract class ClusterHarness : IDisposable
{
    protected const int Trials = 12, Epochs = 5;
    protected static readonly TimeSpan Up = TimeSpan.FromSeconds(60), Sweep = TimeSpan.FromMinutes(4);

    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-cluster-").FullName;
    private readonly List<ClusterProcess> _processes = [];

    protected string Store => Path.Combine(_dir, "store");

    /// <summary>This test's own temp folder (deleted afterwards).</summary>
    protected string Dir => _dir;

    private string SweepFile { get; }

    /// <summary>Variables every process gets: how to reach the store's database.</summary>
    protected virtual IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    /// <summary>Rows of a query on the result tables, or on the journal with <paramref name="journal"/>.</summary>
    protected abstract List<object?[]> Rows(string sql, bool journal = false);

    /// <summary>SQL for a trial's epochs as "1,2,3" (SQLite and PostgreSQL spell it differently).</summary>
    protected abstract string EpochList { get; }

    /// <summary>The cluster's certificate (a PKCS#12 file in this test's folder), in every process's SWEEPGRID_TLS_CERT.</summary>
    protected string ClusterCertificate { get; }

    protected ClusterHarness()
    {
        SweepFile = Path.Combine(_dir, "cluster.hocon");
        WriteSweep();
        ClusterCertificate = NewCertificate("cluster");
    }

    /// <summary>A new cluster certificate, as `sweepgrid cert create` makes them, in this test's folder.</summary>
    protected string NewCertificate(string name)
    {
        var path = Path.Combine(_dir, $"{name}.pfx");
        using var certificate = ClusterTls.Create(name, days: 1);
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12));
        return path;
    }

    /// <summary>The sweep every test submits, with <paramref name="extra"/> keys added to it.</summary>
    protected void WriteSweep(string extra = "") =>
        File.WriteAllText(SweepFile, $$"""
            sweep {
              name = faults
              dataset { name = synthetic, synthetic { train-size = 4096, test-size = 256, features = 64, classes = 4 } }
              model { hidden = [256, 256] }
              base { batch-size = 32, learning-rate = 0.02, epochs = {{Epochs}} }
              grid { seed = [{{string.Join(", ", Enumerable.Range(1, Trials))}}] }
              metrics { every-steps = 16, flatness = [] }
              {{extra}}
            }
            """);

    public virtual void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        SqliteConnection.ClearAllPools();
        // SWEEPGRID_KEEP_TEST_DIRS=1 keeps the folder (the nodes' logs, the store) for a look after a failure.
        if (System.Environment.GetEnvironmentVariable("SWEEPGRID_KEEP_TEST_DIRS") is null) Directory.Delete(_dir, recursive: true);
        else Console.Error.WriteLine($"kept {_dir}");
    }

    /// <param name="extra">More arguments for `sweepgrid node` (one slot unless they give --slots).</param>
    protected async Task<ClusterProcess> Node(string name, string roles, int port, int? seed, params string[] extra)
    {
        string[] args = ["node", "--roles", roles, "--port", $"{port}", "--store", Store, .. extra.Contains("--slots") ? extra : ["--slots", "1", .. extra]];
        if (seed is { } s) args = [.. args, "--seed", $"127.0.0.1:{s}"];
        // Nodes run in the repository, where the bundled data is; clients run wherever the test says.
        // Each node stands for a machine of its own, with one core: left to think it owns this whole
        // machine, each node's worker runs as many libtorch threads as it has cores, and three nodes'
        // threads spinning for each other made trials 5 times slower (README, "Slots").
        var node = StartWithCertificate(ClusterCertificate, TestMachine.RepoRoot(), name, args, new() { ["DOTNET_PROCESSOR_COUNT"] = "1" });
        await node.WaitForLine(l => l.Contains("is up", StringComparison.Ordinal), Up);
        return node;
    }

    protected ClusterProcess Start(string name, params string[] args) => StartIn(AppContext.BaseDirectory, name, args);

    /// <summary>A process whose working directory is <paramref name="workingDirectory"/>.</summary>
    protected ClusterProcess StartIn(string workingDirectory, string name, params string[] args) =>
        StartWithCertificate(ClusterCertificate, workingDirectory, name, args);

    /// <summary>A process given <paramref name="certificate"/> as its SWEEPGRID_TLS_CERT; none if null (plain TCP, on loopback).</summary>
    protected ClusterProcess StartWithCertificate(string? certificate, string workingDirectory, string name, params string[] args) =>
        StartWithCertificate(certificate, workingDirectory, name, args, []);

    private ClusterProcess StartWithCertificate(string? certificate, string workingDirectory, string name, string[] args, Dictionary<string, string> more)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in more) environment[key] = value;
        if (certificate is not null) environment[ClusterTls.CertificateVariable] = certificate;
        var process = new ClusterProcess(name, environment, workingDirectory, args);
        _processes.Add(process);
        return process;
    }

    protected ClusterProcess Submit(int seed) => Start("submit", "submit", SweepFile, "--seed", $"127.0.0.1:{seed}");

    /// <summary>
    /// Waits until a trial that is still running, on a slot of the node at <paramref name="port"/> (any
    /// node if null), has finished 2 epochs and no more and, with <paramref name="checkpointed"/>, its
    /// checkpoint file exists; returns its id. The trainer writes the checkpoint just after reporting the
    /// epoch, and the report can reach the client first: a kill right after the epoch line could beat the
    /// file. "No more" matters: a trial whose epoch-2 line was long ago may be finishing its last epoch,
    /// and one that finishes between this and the kill leaves nothing to resume (it did, one run in three).
    /// </summary>
    protected async Task<string> TrialTwoEpochsInOn(ClusterProcess submit, int? port, bool checkpointed = true)
    {
        bool Settled(string id) => submit.Lines.Any(l => Words(l) is [_, "completed" or "diverged" or "failed", var t, ..] && t == id);
        bool OnNode(string id) => port is null || submit.Lines.Any(l =>
            Words(l) is [_, "start", var t, ..] && t == id && l.Contains($":{port}/slot-", StringComparison.Ordinal));
        bool PastEpochTwo(string id) => submit.Lines.Any(l => Words(l) is [_, "epoch", var t, var progress, ..] && t == id
            && !progress.StartsWith("1/", StringComparison.Ordinal) && !progress.StartsWith("2/", StringComparison.Ordinal));
        var line = await submit.WaitForLine(l => Words(l) is [_, "epoch", var id, var progress, ..]
            && progress.StartsWith("2/", StringComparison.Ordinal) && OnNode(id) && !Settled(id) && !PastEpochTwo(id), Sweep);
        var trial = Words(line)[2];
        if (checkpointed) await CheckpointWritten(trial);
        return trial;
    }

    /// <summary>
    /// Freezes <paramref name="node"/> (SIGSTOP), and its worker processes with <paramref name="workersToo"/>,
    /// at a moment when a trial on it has done 2 epochs and its outcome is not stored: the state a kill,
    /// freeze or shutdown test needs, read from the store once the node is frozen (only the frozen node's
    /// recorder could store it). The client's epoch line is not enough: it comes behind the trial, and a
    /// short trial can finish between the line and the signal (a CI run's freeze test froze a node whose
    /// trial had finished, so the node was never downed). If the trial finished first, the node goes on
    /// and the next one is awaited. Returns the trial and the worker processes frozen.
    /// </summary>
    protected async Task<(string Trial, IReadOnlyList<int> Workers)> FreezeWithATrialRunning(ClusterProcess submit, ClusterProcess node, int port,
        bool workersToo, bool checkpointed = true)
    {
        while (true)
        {
            var trial = await TrialTwoEpochsInOn(submit, port, checkpointed);
            var workers = node.Children();
            await FreezeNode(node);
            if (workersToo) foreach (var worker in workers) ClusterProcess.Signal(worker, stop: true);
            if (Rows($"SELECT count(*) FROM trials WHERE sweep = 'faults' AND trial = '{trial}' AND outcome_attempt IS NOT NULL").Single()[0] is 0L or 0)
            {
                return (trial, workers);
            }

            node.Thaw();
            if (workersToo) foreach (var worker in workers) ClusterProcess.Signal(worker, stop: false);
        }
    }

    /// <summary>SIGSTOP of <paramref name="node"/> alone; the SQLite harness picks a moment outside a write.</summary>
    protected virtual Task FreezeNode(ClusterProcess node)
    {
        node.Freeze();
        return Task.CompletedTask;
    }

    /// <summary>Waits until some attempt of <paramref name="trial"/> has written its checkpoint (TRIAL.aN.ckpt).</summary>
    private async Task CheckpointWritten(string trial)
    {
        var folder = Path.Combine(Store, "checkpoints", "faults");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Directory.Exists(folder) || Directory.GetFiles(folder, $"{trial}.a*.ckpt").Length == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no checkpoint of {trial} in {folder} within 30 s of the trial's epoch-2 line");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Everything the store says about one trial: the coordinator's and the recorder's journal events,
    /// its row, and its lines in the nodes' logs, for a failed assertion about it (the folder is gone after).
    /// </summary>
    protected string TrialStory(string trial)
    {
        var journal = Rows($"SELECT persistence_id, manifest, CAST(message AS TEXT) FROM journal WHERE CAST(message AS TEXT) LIKE '%{trial}%' " +
                           $"OR persistence_id LIKE '%{trial}%' ORDER BY ordering", journal: true)
            .Select(r => $"  {r[0]} {r[1]}: {((string)r[2]!)[..Math.Min(200, ((string)r[2]!).Length)]}");
        var logs = SweepGrid.Store.Logs.TrialLog.Read(Store, "faults", trial).Select(l => $"  {l.Time:HH:mm:ss.fff} {l.Level}: {l.Message}");
        var files = Directory.Exists(Store)
            ? Directory.GetFileSystemEntries(Store, $"{trial}*", SearchOption.AllDirectories).Select(f => $"  {Path.GetRelativePath(Store, f)}")
            : [];
        return $"trial {trial}: journal:\n{string.Join('\n', journal)}\nlog:\n{string.Join('\n', logs)}\nfiles now:\n{string.Join('\n', files)}";
    }

    /// <summary>
    /// The stacks of crashed attempts, from the nodes' log files in the store (the journal keeps only
    /// the first line): what a failed assertion about failures needs to say, since the folder is gone after.
    /// </summary>
    protected string CrashDetails()
    {
        var folder = Path.Combine(Store, "logs");
        if (!Directory.Exists(folder)) return "(no logs)";
        var details = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.log"))
        {
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (reader.ReadLine() is { } line)
            {
                if (!line.Contains("crashed", StringComparison.Ordinal)) continue;
                using var entry = System.Text.Json.JsonDocument.Parse(line);
                var root = entry.RootElement;
                string Property(string name) => root.TryGetProperty(name, out var p) ? p.ToString() : "";
                details.Add($"{Path.GetFileName(file)} {Property("@t")} {Property("TrialId")} attempt {Property("Attempt")}: {Property("Reason")}{Property("Detail")}");
            }
        }

        return details.Count == 0 ? "(no crash in the logs)" : string.Join('\n', details);
    }

    /// <summary>
    /// <see cref="ClusterProcess.WaitForExit"/>, and on a timeout the last lines of every process of the
    /// test besides its own: why a sweep stood still is in the nodes' lines, which are gone afterwards.
    /// </summary>
    protected async Task<int> WaitForExit(ClusterProcess process, TimeSpan timeout)
    {
        try
        {
            return await process.WaitForExit(timeout);
        }
        catch (TimeoutException e)
        {
            var others = _processes.Where(p => p != process).Select(p =>
                $"--- {p.Name}{(p.HasExited ? $" (exited {p.ExitCode})" : "")}:\n" +
                string.Join('\n', p.Lines.Where(l => !l.StartsWith("   at ", StringComparison.Ordinal)).TakeLast(25)));
            throw new TimeoutException($"{e.Message}\n{string.Join('\n', others)}", e);
        }
    }

    /// <summary>The process ends with <paramref name="expected"/>; if not, the failure shows its last lines (why is in them).</summary>
    protected async Task AssertExits(int expected, ClusterProcess process, TimeSpan timeout)
    {
        int code = await WaitForExit(process, timeout);
        Assert.True(code == expected, $"{process.Name} exited {code}, not {expected}; its last lines:\n{string.Join('\n', process.Lines.TakeLast(60))}");
    }

    protected static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// 3 nodes (coordinator+worker, 2 workers), a 12-trial sweep; SIGKILL a worker whose trial has done
    /// 2 epochs: every trial completes exactly once and the killed one resumes from its checkpoint.
    /// </summary>
    protected async Task KillAWorkerMidTrial()
    {
        int a = TestMachine.FreePort(), b = TestMachine.FreePort(), c = TestMachine.FreePort();
        await Node("a", "coordinator,worker", a, null);
        var nodeB = await Node("b", "worker", b, a);
        await Node("c", "worker", c, a);
        var submit = Submit(a);

        var (killed, _) = await FreezeWithATrialRunning(submit, nodeB, b, workersToo: true);
        nodeB.Kill();

        await AssertCompletedWithResumed(submit, killed);
    }

    /// <summary>The client saw every trial complete, exactly once, and the killed trial moved and resumed from its checkpoint.</summary>
    protected async Task AssertCompletedWithResumed(ClusterProcess submit, string killed)
    {
        Assert.Equal(0, await WaitForExit(submit, Sweep));
        Assert.Contains(submit.Lines, l => l.Contains($"sweep faults: {Trials} completed, 0 diverged, 0 failed", StringComparison.Ordinal));
        AssertExactlyOnce();
        var row = TrialRow(killed);
        Assert.True(row.Attempts >= 2, $"trial {killed} ran {row.Attempts} attempt(s)");
        // Losing a node (or the coordinator's) is no trial's fault: no attempt of any trial counted as failed.
        var failures = Rows("SELECT CAST(message AS TEXT) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-attempt-failed'", journal: true)
            .Select(r => $"{r[0]}").ToList();
        Assert.True(failures.Count == 0, $"attempts counted as failed: {string.Join("; ", failures)}\n{CrashDetails()}");
        Assert.True(row.ResumedFromEpoch >= 1, $"trial {killed} did not resume from a checkpoint (resumed_from_epoch {row.ResumedFromEpoch})");
    }

    /// <summary>
    /// One TrialFinished per trial in the coordinator's journal, one stored outcome per trial in its
    /// recorder's, every trial completed with epochs 1..E once each and no trajectory point twice.
    /// </summary>
    protected void AssertExactlyOnce()
    {
        SqliteConnection.ClearAllPools();
        var finished = Rows("SELECT count(*) FROM journal WHERE persistence_id = 'sweep-faults' AND manifest = 'trial-finished'", journal: true);
        Assert.Equal((long)Trials, finished.Single()[0]);
        var outcomes = Rows("SELECT persistence_id, count(*) FROM journal WHERE manifest = 'outcome-recorded' GROUP BY persistence_id", journal: true);
        Assert.Equal(Trials, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(1L, o[1]));
        var statuses = Rows("SELECT status, count(*) FROM trials WHERE sweep = 'faults' GROUP BY status");
        Assert.Equal([("completed", (long)Trials)], statuses.Select(r => ((string)r[0]!, (long)r[1]!)));
        var epochs = Rows($"SELECT trial, {EpochList} FROM (SELECT trial, epoch FROM epochs WHERE sweep = 'faults' ORDER BY trial, epoch) AS t GROUP BY trial");
        Assert.Equal(Trials, epochs.Count);
        Assert.All(epochs, e => Assert.Equal(string.Join(',', Enumerable.Range(1, Epochs)), (string)e[1]!));
        var points = Rows("SELECT count(*), count(DISTINCT trial || ':' || step) FROM points WHERE sweep = 'faults'").Single();
        Assert.Equal(points[0], points[1]);
    }

    protected (long Attempts, long? ResumedFromEpoch) TrialRow(string trial)
    {
        var row = Rows($"SELECT attempts, resumed_from_epoch FROM trials WHERE sweep = 'faults' AND trial = '{trial}'").Single();
        return ((long)row[0]!, row[1] as long?);
    }

    /// <summary>All rows of a query, each as its column values (NULL as null).</summary>
    protected static List<object?[]> Read(System.Data.Common.DbConnection connection, string sql)
    {
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }

        return rows;
    }
}
