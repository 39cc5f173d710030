using SweepGrid.Store;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Results;
using SweepGrid.Core.Sweeps;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Bench;

/// <summary>
/// Sweeps at cluster scale (issue 13), on real `sweepgrid node` processes with no-op trials
/// (`--trial-runner noop`), and this process as the submitting client:
/// <list type="bullet">
/// <item>submit: a coordinator-only node and a 4-slot worker node; for 1,000, 10,000 and 100,000
/// trials, the time from sending the sweep to its acceptance (expanded, journaled and every trial
/// registered in the result tables), from acceptance to the first trial started, and the coordinator
/// node's resident memory once all are registered;</item>
/// <item>throughput: 10,000 trials over 4 node processes × 4 slots (the first also the coordinator), trials/s
/// from acceptance to the sweep's end.</item>
/// </list>
/// The store is SQLite in a temp folder, or PostgreSQL when SWEEPGRID_POSTGRES is set.
/// </summary>
internal static class ScaleBench
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(30);

    public static async Task<string> RunAsync()
    {
        bool postgres = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StoreLocation.PostgresVariable));
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## {(postgres ? "PostgreSQL 15" : "SQLite")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        report.AppendLine();
        report.AppendLine("| trials | submit → accepted s | accepted → first trial started s | coordinator node RSS MiB |");
        report.AppendLine("| --- | --- | --- | --- |");
        foreach (int trials in new[] { 1_000, 10_000, 100_000 })
        {
            var (accepted, first, rss) = await SubmitAsync(trials);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {trials:N0} | {accepted:F2} | {first:F2} | {rss:F0} |");
            Console.Error.WriteLine($"submit {trials}: accepted {accepted:F2} s, first trial {first:F2} s later, coordinator {rss:F0} MiB");
        }

        report.AppendLine();
        var (wall, settled) = await ThroughputAsync(trials: 10_000, nodes: 4, slots: 4);
        report.AppendLine("| trials | nodes × slots | accepted → finished s | trials/s |");
        report.AppendLine("| --- | --- | --- | --- |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| {settled:N0} | 4 × 4 | {wall:F1} | {settled / wall:F0} |");
        return report.ToString();
    }

    private static async Task<(double Accepted, double FirstStarted, double CoordinatorRssMiB)> SubmitAsync(int trials)
    {
        using var cluster = new BenchCluster();
        int seed = cluster.Node("coordinator", slots: 0);
        cluster.Node("worker", slots: 4, seed);
        await using var client = await cluster.Client(seed);
        await Task.Delay(TimeSpan.FromSeconds(5)); // the worker's slots have asked, and wait at the director
        var (spec, text) = Sweep($"submit-{trials}-{DateTime.UtcNow:HHmmss}", trials);

        var clock = Stopwatch.StartNew();
        var answer = await client.Director.Ask<object>(new SweepDirectorProtocol.SubmitSweep($"{spec.Name}.hocon", text), Long);
        double accepted = clock.Elapsed.TotalSeconds;
        var acceptedAt = DateTimeOffset.UtcNow;
        if (answer is not Submitted { Added: var added } || added != trials) throw new InvalidOperationException($"submit of {trials} answered {answer}");
        double rss = cluster.RssMiB("coordinator");
        // The worker logs each start with its time; a subscription made now could miss the first.
        var firstStart = await cluster.FirstTrialStartAsync("worker", Long);
        return (accepted, (firstStart - acceptedAt).TotalSeconds, rss);
    }

    private static async Task<(double Wall, int Settled)> ThroughputAsync(int trials, int nodes, int slots)
    {
        using var cluster = new BenchCluster();
        int seed = cluster.Node("node-0", slots, seed: null, roles: "coordinator,worker");
        for (int i = 1; i < nodes; i++) cluster.Node($"node-{i}", slots, seed);
        await using var client = await cluster.Client(seed);
        // Every slot has asked (and been parked by the director) before the sweep arrives.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (spec, text) = Sweep($"throughput-{DateTime.UtcNow:HHmmss}", trials);
        var finished = new TaskCompletionSource<SweepProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = await client.Director.Ask<object>(new SweepDirectorProtocol.SubmitSweep($"{spec.Name}.hocon", text), Long);
        if (answer is not Submitted) throw new InvalidOperationException($"submit answered {answer}");
        var clock = Stopwatch.StartNew();
        Follow(client, spec.Name, _ => { }, finished);
        var final = await finished.Task.WaitAsync(Long);
        if (final.Count(TrialStatus.Completed) != trials) throw new InvalidOperationException($"{final.Counts} of {trials}");
        return (clock.Elapsed.TotalSeconds, trials);
    }

    private static void Follow(SweepGridNode client, string sweep, Action<object> onProgress, TaskCompletionSource<SweepProgress> finished)
    {
        var director = client.Director;
        var listener = client.System.ActorOf(ProgressListener.Props(onProgress, finished,
            self => director.Tell(new SweepDirectorProtocol.SubscribeSweep(sweep, self))));
        director.Tell(new SweepDirectorProtocol.SubscribeSweep(sweep, listener));
    }

    /// <summary>Trials as seeds × strengths of one synthetic no-op sweep: the size of its file does not grow with them.</summary>
    private static (SweepSpec Spec, string Text) Sweep(string name, int trials)
    {
        var text = BenchSweeps.GridText(name, trials, """
            dataset { name = synthetic }
            base { batch-size = 32, learning-rate = 0.05, epochs = 1 }
            metrics { flatness = [] }
            checkpoint { every-epochs = 0 }
            """);
        return (SweepFile.Parse(text, name), text);
    }

    /// <summary>
    /// Node processes on 127.0.0.1 sharing a fresh store: a temp folder, and with SWEEPGRID_POSTGRES a
    /// fresh database on that server (a reused one would hold the last run's unfinished sweeps, which
    /// the director would resume). Killed and removed at the end.
    /// </summary>
    private sealed class BenchCluster : IDisposable
    {
        private readonly string _store = Directory.CreateTempSubdirectory("sweepgrid-scale-").FullName;
        private readonly Dictionary<string, (Process Process, int Port)> _nodes = [];
        private readonly string? _server = Environment.GetEnvironmentVariable(StoreLocation.PostgresVariable);
        private readonly string _database = $"sweepgrid_scale_{Guid.NewGuid():N}";

        public BenchCluster()
        {
            if (_server is not null) Admin($"CREATE DATABASE {_database}");
        }

        private void Admin(string sql)
        {
            using var connection = new Npgsql.NpgsqlConnection(_server);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        /// <returns>The node's port.</returns>
        public int Node(string name, int slots, int? seed = null, string? roles = null)
        {
            int port = FreePort();
            roles ??= slots == 0 ? "coordinator" : seed is null ? "coordinator,worker" : "worker";
            List<string> args = [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), "node", "--roles", roles, "--port", $"{port}",
                "--store", _store, "--trial-runner", "noop"];
            if (slots > 0) args.AddRange(["--slots", $"{slots}"]);
            if (seed is { } s) args.AddRange(["--seed", $"127.0.0.1:{s}"]);
            var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
            if (_server is not null)
            {
                start.Environment[StoreLocation.PostgresVariable] = new Npgsql.NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString;
            }

            var process = Process.Start(start)!;
            var up = new TaskCompletionSource();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("is up", StringComparison.Ordinal) == true) up.TrySetResult();
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}");
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            up.Task.Wait(TimeSpan.FromSeconds(90));
            _nodes[name] = (process, port);
            return port;
        }

        public Task<SweepGridNode> Client(int seed) => SweepGridNode.StartAsync(
            new SweepGridNode.NodeOptions([SweepGridNode.Roles.Client], "127.0.0.1", FreePort(), [$"127.0.0.1:{seed}"],
                new StoreLocation(Directory.CreateTempSubdirectory("sweepgrid-scale-client-").FullName), new NodeSlots([], new ProcessWorkerLauncher(Sweepgrid.Worker("noop")))),
            joinTimeout: TimeSpan.FromSeconds(90));

        /// <summary>Resident memory of a node process (VmRSS).</summary>
        public double RssMiB(string name)
        {
            var line = File.ReadLines($"/proc/{_nodes[name].Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }

        /// <summary>When the node's log (store/logs/node-PORT-*.log, compact JSON) first says a trial started.</summary>
        public async Task<DateTimeOffset> FirstTrialStartAsync(string name, TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            var pattern = $"node-{_nodes[name].Port}-*.log";
            while (DateTime.UtcNow < deadline)
            {
                foreach (var file in Directory.GetFiles(Path.Combine(_store, "logs"), pattern))
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    using var reader = new StreamReader(stream);
                    while (reader.ReadLine() is { } line)
                    {
                        using var json = System.Text.Json.JsonDocument.Parse(line);
                        var e = json.RootElement;
                        if (e.TryGetProperty("@mt", out var template) && template.GetString()!.Contains("started on", StringComparison.Ordinal))
                        {
                            return e.GetProperty("@t").GetDateTimeOffset();
                        }
                    }
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"no trial started on {name} within {within}");
        }

        public void Dispose()
        {
            foreach (var (p, _) in _nodes.Values)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_store, recursive: true);
            if (_server is not null) Admin($"DROP DATABASE {_database} WITH (FORCE)");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
