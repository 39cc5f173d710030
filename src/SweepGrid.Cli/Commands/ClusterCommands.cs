using SweepGrid.Store;
using System.Globalization;
using Akka.Actor;
using SweepGrid.Cli.Output;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Hosting.SweepGridNode;

namespace SweepGrid.Cli.Commands;

/// <summary>`sweepgrid node`, `submit` and `resume --seed`: a cluster member, and a client that hands it a sweep and follows it.</summary>
internal static class ClusterCommands
{
    public sealed record NodeArguments(string Roles, string Host, int Port, IReadOnlyList<string> Seeds, string Store, SlotArguments Slots,
        ClusterAccess Access, string? BindHost = null, string? ConfigDir = null, string? HealthFile = null, int? MetricsPort = null, string MetricsHost = "127.0.0.1");

    /// <summary>
    /// Runs a member until SIGINT/SIGTERM or until the cluster downs it. On a signal its slots hand back
    /// their trials (checkpointed after their current step) and it leaves the cluster gracefully.
    /// </summary>
    public static async Task<int> NodeAsync(NodeArguments a, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var roles = Roles(a.Roles, allowed: [SweepGridNode.Roles.Coordinator, SweepGridNode.Roles.Worker]);
        CheckAddress(a.Host, a.Port, allowAnyPort: false);
        if (a.BindHost is { } bind && !IsHost(bind)) throw new UserError($"--bind-host: must be an interface address such as 0.0.0.0, got \"{Core.Sweeps.Names.Printable(bind)}\"");
        CheckConfigDir(a.ConfigDir);
        var seeds = Seeds(a.Seeds);
        var tls = a.Access.Tls([a.BindHost ?? a.Host, a.Host, .. seeds.Select(HostOf)], error);
        var slots = roles.Contains(SweepGridNode.Roles.Worker) ? SlotPlan.Build(a.Slots, cpuDefault: 1, Settings(a.ConfigDir), w => error.WriteLine($"warning: {w}")) : SlotPlan.None;
        var store = Stores.Location(a.Store);
        var metrics = new Cluster.Metrics.NodeMetrics();
        using var metricsServer = MetricsEndpoint.Start(a.MetricsHost, a.MetricsPort, metrics.Registry);
        var levels = Logging.LogLevels.FromConfig();
        Logging.LogSetup.ToStore(a.Store, levels, $"node-{a.Port}");
        await using var node = await SweepGridNode.StartAsync(
            new NodeOptions(roles, a.Host, a.Port, seeds, store, slots, a.BindHost, a.ConfigDir, a.HealthFile, SweepLoader.ReadDataset, tls, Metrics: metrics),
            Akka.Configuration.ConfigurationFactory.ParseString($"akka.loglevel = {levels.AkkaFileLevel}"), a.Access.JoinTimeout, ct);
        output.WriteLine($"node {SweepGridNode.Scheme(tls)}://sweepgrid@{a.Host}:{a.Port} is up: roles {string.Join(", ", roles)}" +
                         (slots.Count > 0 ? $", {SlotPlan.Describe(slots)}" : "") + $", {node.Results.Describe}" +
                         (tls is null ? "" : $", mutual TLS with certificate {tls.Fingerprint[..16]}…") +
                         (metricsServer is null ? "" : $", metrics at http://{a.MetricsHost}:{a.MetricsPort}/metrics"));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (ct.Register(() => stopped.TrySetResult()))
        {
            await Task.WhenAny(stopped.Task, node.System.WhenTerminated);
        }

        // A signal makes it a shutdown even if the actor system ended first (the runtime's own exit hook can run it).
        bool removed = node.System.WhenTerminated.IsCompleted && !ct.IsCancellationRequested;
        output.WriteLine(removed
            ? "node stopped: the cluster removed it (see the log)"
            : "node shutting down: running trials finish their epoch, checkpoint and go back to the queue; then it leaves the cluster");
        await node.DisposeAsync();
        foreach (var note in node.ReleasedOnShutdown) output.WriteLine($"released {note}");
        if (!removed) output.WriteLine("node left the cluster");
        return removed && !ct.IsCancellationRequested ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>sweepgrid.conf as the node will read it: from its configuration folder, or the built-in one.</summary>
    private static Akka.Configuration.Config Settings(string? configDir) => HoconFiles.Parse("sweepgrid.conf", configDir);

    /// <summary>The folder must hold both files, valid, with consistent shutdown settings; checked before anything starts.</summary>
    private static void CheckConfigDir(string? directory)
    {
        if (directory is null) return;
        if (!Directory.Exists(directory)) throw new UserError($"--config-dir: folder not found: {directory}");
        try
        {
            var config = HoconFiles.Parse("cluster.conf", directory).WithFallback(HoconFiles.Parse("sweepgrid.conf", directory));
            ShutdownSettings.From(config);
        }
        catch (Exception e) when (e is FileNotFoundException or Akka.Configuration.ConfigurationException)
        {
            throw new UserError($"--config-dir: {e.Message}");
        }
    }

    /// <summary>
    /// Joins as a client, submits the sweep to the director by reference and follows it to its end.
    /// Only the file is checked here: the cluster checks the data where its trials will read it (this
    /// machine may not have it) and answers a bad sweep with the same lines `run` would print.
    /// </summary>
    /// <param name="port">This client's remoting port; 0: any free one (a fixed one gets through a NetworkPolicy that admits only the remoting port).</param>
    public static async Task<int> SubmitAsync(string sweepFile, IReadOnlyList<string> seedArgs, string host, int port, ClusterAccess access, bool quiet,
        TextWriter output, TextWriter error, CancellationToken ct, int? priority = null)
    {
        var (spec, text) = SweepLoader.LoadFile(sweepFile);
        var submission = new SweepDirectorProtocol.SubmitSweep(sweepFile, text, Priority: priority);
        if (Core.Sweeps.SweepJson.Bytes(submission).Length > Core.Sweeps.SweepJson.MaxMessageBytes)
        {
            throw new UserError($"{sweepFile}: file: too large to send to a cluster as one message ({Core.Sweeps.SweepJson.MaxMessageBytes:N0} bytes at most, comments and whitespace included)");
        }

        var seeds = Seeds(seedArgs);
        if (seeds.Count == 0) throw new UserError("--seed: give at least one seed node as HOST:PORT");
        CheckAddress(host, port, allowAnyPort: true);
        await using var client = await StartClient(host, port, seeds, access, error, ct);
        // The follower submits, so that it is subscribed before any trial can end (SubmitSweep.Follow)
        // and takes the answer and the progress in the order the cluster sent them.
        var following = StartFollowing(client, spec.Name, quiet, output, subscribeNow: false);
        client.Director.Tell(submission with { Follow = true }, following.Listener);
        object answer;
        try
        {
            answer = await following.Answer.WaitAsync(SubmitTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"the cluster did not answer the submission of sweep {spec.Name} within {SubmitTimeout.TotalSeconds:F0} s");
        }

        switch (answer)
        {
            case SubmitRejected { BadInput: true } bad:
                throw new UserError(bad.Errors.Select(e => $"{sweepFile}: {e}").ToList());
            case SubmitRejected fault:
                throw new InvalidOperationException($"the cluster did not take sweep {spec.Name}: {string.Join("; ", fault.Errors)}");
            default:
                return await FollowToTheEnd(following, spec.Name, output, ct);
        }
    }

    /// <summary>
    /// Checking the data, expanding the grid and registering its trials take a few seconds for 100,000
    /// trials (bench/results/scale.md); this leaves room for a database that is slow to answer.
    /// </summary>
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// `resume SWEEP --seed`: a paused or cancelled sweep is reopened (<see cref="ControlCommand"/>); a
    /// running cluster carries on with the others by itself. Then this follows the sweep to its end.
    /// </summary>
    public static async Task<int> ResumeAsync(string sweep, IReadOnlyList<string> seedArgs, string host, int port, ClusterAccess access, bool quiet,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var seeds = Seeds(seedArgs);
        CheckAddress(host, port, allowAnyPort: true);
        await using var client = await StartClient(host, port, seeds, access, error, ct);
        var resumed = await ControlCommand.SendAsync(client.Director, sweep, Core.Scheduling.SweepControl.Resume, ct);
        if (resumed.Changed) output.WriteLine(ControlCommand.Describe(resumed, Core.Scheduling.SweepControl.Resume));
        var following = StartFollowing(client, sweep, quiet, output, subscribeNow: true);
        return await FollowToTheEnd(following, sweep, output, ct);
    }

    internal static async Task<ClientMember> StartClient(string host, int port, IReadOnlyList<string> seeds, ClusterAccess access, TextWriter error, CancellationToken ct)
    {
        var tls = access.Tls([host, .. seeds.Select(HostOf)], error);
        Logging.LogSetup.ConsoleOnly(Logging.LogLevels.FromConfig());
        // A client member keeps no store: a throwaway folder satisfies the persistence plugin, which it never uses.
        var scratch = Directory.CreateTempSubdirectory("sweepgrid-client-");
        try
        {
            var node = await SweepGridNode.StartAsync(
                new NodeOptions([SweepGridNode.Roles.Client], host, port, seeds, new StoreLocation(scratch.FullName), SlotPlan.None, Tls: tls),
                joinTimeout: access.JoinTimeout, ct: ct);
            return new ClientMember(node, scratch);
        }
        catch
        {
            scratch.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>A client's cluster member and its throwaway store folder, deleted once the member has left.</summary>
    internal sealed record ClientMember(SweepGridNode Node, DirectoryInfo Scratch) : IAsyncDisposable
    {
        public IActorRef Director => Node.Director;

        public ActorSystem System => Node.System;

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            try
            {
                Scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Left in the temporary folder: nothing in it is needed, and the sweep's outcome is what matters.
            }
        }
    }

    private static string HostOf(string seed) => seed[..seed.LastIndexOf(':')];

    /// <summary>A client's follower of one sweep: the listener, the submission's answer and the sweep's end.</summary>
    private sealed record Following(IActorRef Listener, Task<object> Answer, Task<SweepProgress> Finished, Task<SweepDirectorProtocol.UnknownSweep> Unknown);

    /// <summary>
    /// Starts the actor that prints a sweep's progress. A submission's answer (<see cref="Submitted"/>,
    /// printed as the "submitted" line before any progress, or <see cref="SubmitRejected"/>) completes
    /// <see cref="Following.Answer"/>. It subscribes through the director now with <paramref name="subscribeNow"/>
    /// (a submission subscribes it itself), and again whenever its coordinator moves.
    /// </summary>
    private static Following StartFollowing(ClientMember client, string sweep, bool quiet, TextWriter output, bool subscribeNow)
    {
        var answer = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<SweepProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var unknown = new TaskCompletionSource<SweepDirectorProtocol.UnknownSweep>(TaskCreationOptions.RunContinuationsAsynchronously);
        var printer = new ProgressPrinter(output, epochLines: !quiet);
        void OnMessage(object message)
        {
            switch (message)
            {
                case Submitted s:
                    output.WriteLine($"sweep {sweep} submitted: {s.Total} trials, {s.Added} new, {s.AlreadyFinished} already finished (not re-run)");
                    answer.TrySetResult(s);
                    break;
                case SubmitRejected r:
                    answer.TrySetResult(r);
                    break;
                case SweepDirectorProtocol.UnknownSweep u:
                    unknown.TrySetResult(u);
                    break;
                default:
                    printer.On(message);
                    break;
            }
        }

        var director = client.Director;
        void Subscribe(IActorRef listener) => director.Tell(new SweepDirectorProtocol.SubscribeSweep(sweep, listener));
        var listener = client.System.ActorOf(ProgressListener.Props(OnMessage, finished, Subscribe), "follow");
        if (subscribeNow) Subscribe(listener);
        return new Following(listener, answer.Task, finished.Task, unknown.Task);
    }

    private static async Task<int> FollowToTheEnd(Following following, string sweep, TextWriter output, CancellationToken ct)
    {
        try
        {
            var first = await Task.WhenAny(following.Finished, following.Unknown).WaitAsync(ct);
            if (first == following.Unknown)
            {
                var u = await following.Unknown;
                throw new UserError($"sweep \"{sweep}\" is not known to the cluster (sweeps there: {(u.Known.Count == 0 ? "none" : string.Join(", ", u.Known))})");
            }

            var final = await following.Finished;
            output.WriteLine($"sweep {sweep}: {Outcomes(final.Counts)}");
            return ExitCodes.Of(final.Counts);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            output.WriteLine($"stopped following; sweep {sweep} goes on in the cluster (`sweepgrid resume {sweep} --seed ...` follows it again)");
            return ExitCodes.Success;
        }
    }

    /// <summary>"3 completed, 1 diverged, 0 failed", and the cancelled ones if any.</summary>
    public static string Outcomes(Core.Scheduling.TrialCounts c) =>
        FormattableString.Invariant($"{c.Completed} completed, {c.Diverged} diverged, {c.Failed} failed") + (c.Cancelled > 0 ? FormattableString.Invariant($", {c.Cancelled} cancelled") : "");

    private static IReadOnlyList<string> Roles(string text, IReadOnlyList<string> allowed)
    {
        var roles = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var bad = roles.Where(r => !allowed.Contains(r)).ToList();
        if (roles.Count == 0 || bad.Count > 0)
        {
            throw new UserError($"--roles: must be one or more of {string.Join(", ", allowed)} (comma-separated), got \"{text}\"");
        }

        return roles;
    }

    private static IReadOnlyList<string> Seeds(IReadOnlyList<string> seeds)
    {
        foreach (var seed in seeds)
        {
            int colon = seed.LastIndexOf(':');
            if (colon <= 0 || !IsHost(seed[..colon])
                || !int.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new UserError($"--seed: must be HOST:PORT with a host name or address and a port from 1 to 65535, got \"{Core.Sweeps.Names.Printable(seed)}\"");
            }
        }

        return seeds;
    }

    /// <summary>A DNS name or an IP address: the only things that become an address in the cluster's configuration.</summary>
    private static bool IsHost(string text) => text.Length <= 253 && Uri.CheckHostName(text) is UriHostNameType.Dns or UriHostNameType.IPv4;

    private static void CheckAddress(string host, int port, bool allowAnyPort)
    {
        if (!IsHost(host)) throw new UserError($"--host: must be a host name or IPv4 address this node is reachable at, got \"{Core.Sweeps.Names.Printable(host)}\"");
        if ((port == 0 && !allowAnyPort) || port is < 0 or > 65535) throw new UserError($"--port: must be from 1 to 65535, got {port}");
    }
}
