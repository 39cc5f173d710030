using System.CommandLine;
using SweepGrid.Cli.Commands;
using SweepGrid.Cli.Data;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Store;

namespace SweepGrid.Cli;

/// <summary>The `sweepgrid` command tree. Each command's work lives in Commands/; this file and Cli.Results.cs only wire options.</summary>
internal static partial class Cli
{
    /// <summary>Longer than any node's shutdown (Kubernetes' grace period ends it sooner).</summary>
    private static readonly TimeSpan ShutdownLimit = TimeSpan.FromMinutes(10);

    /// <summary>Parses and runs; malformed arguments are bad input (exit code 2), like a bad sweep file.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parsed = Build(output, error).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine($"error: {e.Message}");
            error.WriteLine("(sweepgrid --help lists the commands and options)");
            return ExitCodes.BadInput;
        }

        // On SIGTERM a node releases its trials (ShutdownSettings: up to a few minutes) before it exits.
        // The signals are ours (TerminationSignals), so System.CommandLine's handling is off.
        using var signals = new TerminationSignals(ShutdownLimit);
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation, signals.Token);
    }

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "SweepGrid: parallel hyperparameter sweeps for generalization-gap research " +
            "(batch size × learning rate × ghost batch size × regularizer × seed).");
        root.Subcommands.Add(Run(output, error));
        root.Subcommands.Add(Resume(output, error));
        root.Subcommands.Add(Control("pause", "Pause a sweep: no trial of it starts, and its running trials stop after their current step, checkpointed, " +
                                              "so its share of the slots goes to the other sweeps. `sweepgrid resume NAME` runs it again.\n" +
                                              "Example: sweepgrid pause gap-fashion-mnist --seed host:4053", _ => SweepControl.Pause, output, error));
        root.Subcommands.Add(Control("cancel", "Cancel a sweep: its running trials stop after their current step (checkpointed), and every trial without " +
                                               "a result is recorded as cancelled; results are kept. Submitting the sweep again (or `resume`) runs only what was not done.\n" +
                                               "Example: sweepgrid cancel gap-fashion-mnist --seed host:4053", _ => SweepControl.Cancel, output, error));
        root.Subcommands.Add(Priority(output, error));
        root.Subcommands.Add(Node(output, error));
        root.Subcommands.Add(Health(output, error));
        root.Subcommands.Add(Submit(output, error));
        root.Subcommands.Add(Export(output, error));
        root.Subcommands.Add(Summary(output, error));
        root.Subcommands.Add(Report(output, error));
        root.Subcommands.Add(Interpolate(output, error));
        root.Subcommands.Add(Status(output, error));
        root.Subcommands.Add(Serve(output, error));
        root.Subcommands.Add(ImportFashionMnist(output, error));
        root.Subcommands.Add(Cert(output, error));
        root.Subcommands.Add(Worker(output, error));
        return root;
    }

    private static Command Run(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (HOCON), e.g. hocon/sweeps/quick.hocon" };
        var store = CommonOptions.Store();
        var slots = new SlotOptions("Training slots (trials run in parallel, each in a worker process); default: one per GPU, or 2 on CPU");
        var quiet = CommonOptions.Quiet(" (no live view, no per-epoch lines)");
        var wide = CommonOptions.Wide();
        var command = new Command("run", "Run a sweep in this process; trials already finished in the store are not run again.\n" +
                                         "On a terminal a live view shows overall progress, an ETA and each running trial; otherwise one line per event.\n" +
                                         "Example: sweepgrid run hocon/sweeps/quick.hocon --store sweepgrid-data")
        {
            file, store, quiet, wide,
        };
        foreach (var option in slots.All) command.Options.Add(option);
        command.SetAction((result, ct) => Guarded(error, () => RunCommand.RunAsync(
            new RunCommand.Options(result.GetValue(file)!, result.GetValue(store)!, slots.Read(result),
                Live: !result.GetValue(quiet) && IsInteractive(output), Quiet: result.GetValue(quiet), TableWidth: TableWidth(output, result.GetValue(wide))),
            output, ct)));
        return command;
    }

    private static Command Resume(TextWriter output, TextWriter error)
    {
        var sweep = new Argument<string>("sweep-name") { Description = "The sweep's name (sweep.name in its file)" };
        var store = CommonOptions.Store();
        var slots = new SlotOptions("Training slots (each in a worker process); default: one per GPU, or 2 on CPU");
        var quiet = CommonOptions.Quiet();
        var wide = CommonOptions.Wide();
        var seeds = CommonOptions.Seeds("On a cluster: a seed node HOST:PORT; the cluster carries on by itself, this follows the sweep");
        var host = CommonOptions.Host("With --seed: the address this client is reachable at");
        var port = CommonOptions.ClientPort();
        var access = new ClusterAccessOptions();
        var command = new Command("resume",
            "Finish a stored sweep after a stop or crash, or reopen a paused or cancelled one: finished trials are not run again, " +
            "interrupted ones resume from their checkpoints.\n" +
            "The sweep file is not needed: the sweep runs as it was first submitted.\n" +
            "Example: sweepgrid resume gap-fashion-mnist --store sweepgrid-data   (cluster: sweepgrid resume NAME --seed host:4053)")
        {
            sweep, store, quiet, wide, seeds, host, port,
        };
        foreach (var option in slots.All.Concat(access.All)) command.Options.Add(option);
        command.SetAction((result, ct) => Guarded(error, () => result.GetValue(seeds) is { Length: > 0 } seedList
            ? ClusterCommands.ResumeAsync(result.GetValue(sweep)!, seedList, result.GetValue(host)!, result.GetValue(port), access.Read(result), result.GetValue(quiet), output, error, ct)
            : RunCommand.RunAsync(
                new RunCommand.Options(null, result.GetValue(store)!, slots.Read(result),
                    Live: !result.GetValue(quiet) && IsInteractive(output), Quiet: result.GetValue(quiet), Resume: result.GetValue(sweep),
                    TableWidth: TableWidth(output, result.GetValue(wide))),
                output, ct)));
        return command;
    }

    /// <summary>A command that sends one control to one sweep, on a cluster (--seed) or in a store.</summary>
    /// <param name="control">The control, from the parsed command line (a priority's argument, say).</param>
    private static Command Control(string name, string description, Func<ParseResult, SweepControl> control, TextWriter output, TextWriter error,
        params Symbol[] more)
    {
        var sweep = new Argument<string>("sweep-name") { Description = "The sweep's name (sweep.name in its file)" };
        var target = new ControlTargetOptions();
        var command = new Command(name, description) { sweep };
        foreach (var symbol in more)
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
        }

        foreach (var option in target.All) command.Options.Add(option);
        command.SetAction((result, ct) => Guarded(error, () =>
            ControlCommand.RunAsync(result.GetValue(sweep)!, control(result), target.Read(result), output, error, ct)));
        return command;
    }

    private static Command Priority(TextWriter output, TextWriter error)
    {
        var priority = new Argument<string>("priority") { Description = $"Its weight in the cluster's fair share, {SweepSpec.MinPriority} to {SweepSpec.MaxPriority}" };
        return Control("priority", "Set a sweep's priority: open sweeps share the slots in proportion to their priorities, as trials end " +
                                   "(running trials are not stopped). Lasts until the sweep is submitted again with another sweep.priority.\n" +
                                   "Example: sweepgrid priority gap-fashion-mnist 3 --seed host:4053",
            result => ControlCommand.ParsePriority(result.GetValue(priority)!), output, error, priority);
    }

    private static Command Node(TextWriter output, TextWriter error)
    {
        var roles = new Option<string>("--roles") { Description = "coordinator, worker or both (comma-separated)", DefaultValueFactory = _ => "coordinator,worker" };
        var host = CommonOptions.Host("Address other nodes reach this one at");
        var port = new Option<int>("--port") { Description = "Remoting port", DefaultValueFactory = _ => 4053 };
        var seeds = CommonOptions.Seeds("A seed node HOST:PORT (repeat for several); none: this node is the first seed");
        var store = CommonOptions.Store();
        var slots = new SlotOptions("Training slots on a worker node, each training in a worker process; default: one per GPU, or 1 on CPU (each CPU slot gets cores/slots threads)");
        var bindHost = new Option<string?>("--bind-host") { Description = "Interface to listen on when it differs from --host (0.0.0.0 in a container); default: --host" };
        var configDir = new Option<string?>("--config-dir") { Description = "Folder with sweepgrid.conf and cluster.conf to use instead of the built-in ones (e.g. a mounted ConfigMap)" };
        var healthFile = new Option<string?>("--health-file") { Description = "Where the node writes its health for `sweepgrid health`; default: sweepgrid-node-PORT.health.json in a private folder of the temp folder" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics at http://HOST:PORT/metrics (trials, slots, store writes, members); default: off" };
        var metricsHost = new Option<string>("--metrics-host") { Description = "The address the metrics endpoint listens on (0.0.0.0: every interface, as in a pod)", DefaultValueFactory = _ => "127.0.0.1" };
        var access = new ClusterAccessOptions();
        var command = new Command("node",
            "Start a cluster member: coordinator nodes host the sweep director (one at a time, handed over if its node dies), " +
            "worker nodes train. Runs until Ctrl-C or SIGTERM; then its running trials finish their epoch, checkpoint and go back " +
            "to the queue (not counted as failures), and the node leaves the cluster.\n" +
            "Off loopback, members talk over mutual TLS with the cluster's certificate (--tls-cert; `sweepgrid cert create` makes one).\n" +
            "Example: sweepgrid node --roles coordinator,worker --port 4053 --store /shared/sweepgrid\n" +
            "         sweepgrid node --roles worker --host 10.0.0.7 --port 4054 --seed 10.0.0.5:4053 --tls-cert cluster.pfx --store /shared/sweepgrid")
        {
            roles, host, port, seeds, store, bindHost, configDir, healthFile, metricsPort, metricsHost,
        };
        foreach (var option in slots.All.Concat(access.All)) command.Options.Add(option);
        command.SetAction((result, ct) => Guarded(error, () => ClusterCommands.NodeAsync(
            new ClusterCommands.NodeArguments(result.GetValue(roles)!, result.GetValue(host)!, result.GetValue(port), result.GetValue(seeds) ?? [],
                result.GetValue(store)!, slots.Read(result), access.Read(result),
                result.GetValue(bindHost), result.GetValue(configDir), result.GetValue(healthFile) ?? Cluster.Health.NodeHealth.DefaultPath(result.GetValue(port)),
                result.GetValue(metricsPort), result.GetValue(metricsHost)!),
            output, error, ct)));
        return command;
    }

    private static Command Health(TextWriter output, TextWriter error)
    {
        var port = new Option<int>("--port") { Description = "Remoting port of the node on this machine", DefaultValueFactory = _ => 4053 };
        var file = new Option<string?>("--health-file") { Description = "The node's health file, if it was started with --health-file" };
        var live = new Option<bool>("--live") { Description = "Only ask whether the node is alive (for a liveness probe): a store outage does not count" };
        var maxAge = new Option<int>("--max-age") { Description = "Seconds after which the node's last check counts as no answer", DefaultValueFactory = _ => 30 };
        var command = new Command("health",
            "Exit 0 when the node on this machine is Up in the cluster and its store answers (readiness), or with --live when it is " +
            "still running (liveness); otherwise print why and exit 1. Kubernetes' probes run this in the node's container.\n" +
            "Example: sweepgrid health --port 4053")
        {
            port, file, live, maxAge,
        };
        command.SetAction((result, _) => Guarded(error, () => Task.FromResult(HealthCommand.Run(
            result.GetValue(file) ?? Cluster.Health.NodeHealth.DefaultPath(result.GetValue(port)), result.GetValue(live), result.GetValue(maxAge), output))));
        return command;
    }

    private static Command Submit(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (HOCON)" };
        var seeds = CommonOptions.Seeds("A seed node HOST:PORT of the running cluster", required: true);
        var host = CommonOptions.Host("The address this client is reachable at");
        var port = CommonOptions.ClientPort();
        var quiet = CommonOptions.Quiet();
        var priority = new Option<string?>("--priority")
        {
            Description = $"The sweep's priority ({SweepSpec.MinPriority} to {SweepSpec.MaxPriority}) instead of its file's sweep.priority: open sweeps share the slots in proportion",
        };
        var access = new ClusterAccessOptions();
        var command = new Command("submit",
            "Send a sweep to a running cluster and follow it to its end (Ctrl-C stops following; the sweep goes on).\n" +
            "Example: sweepgrid submit hocon/sweeps/quick.hocon --seed 127.0.0.1:4053")
        {
            file, seeds, host, port, quiet, priority,
        };
        foreach (var option in access.All) command.Options.Add(option);
        command.SetAction((result, ct) => Guarded(error, () => ClusterCommands.SubmitAsync(
            result.GetValue(file)!, result.GetValue(seeds)!, result.GetValue(host)!, result.GetValue(port), access.Read(result), result.GetValue(quiet), output, error, ct,
            result.GetValue(priority) is { } p ? ControlCommand.ParsePriority(p).Priority : null)));
        return command;
    }

    private static Command Cert(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Folder for cluster.pfx (certificate and private key, mode 600) and cluster.crt (the certificate alone)", Required = true };
        var days = new Option<int>("--days") { Description = "Days the certificate is valid", DefaultValueFactory = _ => 825 };
        var name = new Option<string>("--name") { Description = "The certificate's common name", DefaultValueFactory = _ => "sweepgrid-cluster" };
        var force = new Option<bool>("--force") { Description = "Replace the files if they exist" };
        var create = new Command("create",
            "Make the cluster's certificate for mutual TLS: every node and client is given the same cluster.pfx (--tls-cert, or $SWEEPGRID_TLS_CERT) " +
            "and admits only peers that present it.\nExample: sweepgrid cert create --out tls/ && kubectl -n sweepgrid create secret generic sweepgrid-tls --from-file=tls/cluster.pfx")
        {
            outDir, days, name, force,
        };
        create.SetAction((result, _) => Guarded(error, () => Task.FromResult(CertCommand.Create(
            result.GetValue(outDir)!, result.GetValue(days), result.GetValue(name)!, result.GetValue(force), output))));
        return new Command("cert", "Certificates for the cluster's mutual TLS.") { create };
    }

    /// <summary>Internal: a training slot's worker process (<see cref="SweepGrid.Worker.WorkerProcess"/>), started by the slot, never by hand.</summary>
    private static Command Worker(TextWriter output, TextWriter error)
    {
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1 };
        var trialRunner = new Option<string>("--trial-runner") { DefaultValueFactory = _ => "torch" };
        var abortSeed = new Option<int?>("--test-abort-seed");
        var countCuda = new Option<bool>("--count-cuda-devices");
        var nodeSilence = new Option<double>("--node-silence") { DefaultValueFactory = _ => 0 };
        var addressSpace = new Option<bool>("--print-address-space");
        var command = new Command("worker", "Internal: runs a training slot's trials; started by the slot.") { Hidden = true };
        foreach (var option in new Option[] { threads, trialRunner, abortSeed, countCuda, nodeSilence, addressSpace }) command.Options.Add(option);
        command.SetAction((result, _) => Guarded(error, () => Task.FromResult(
            result.GetValue(countCuda) ? SweepGrid.Worker.WorkerProcess.CountCudaDevices(output)
            : result.GetValue(addressSpace) ? SweepGrid.Worker.WorkerProcess.PrintAddressSpace(result.GetValue(threads), output)
            : SweepGrid.Worker.WorkerProcess.Run(result.GetValue(threads), result.GetValue(trialRunner)!, result.GetValue(abortSeed),
                result.GetValue(nodeSilence) > 0 ? TimeSpan.FromSeconds(result.GetValue(nodeSilence)) : null))));
        return command;
    }

    /// <summary>
    /// The width tables must fit: the terminal's, when our writer is the real console of one. Null (every
    /// column, untruncated) for a file or a pipe, where a script reads the table, and with --wide.
    /// </summary>
    private static int? TableWidth(TextWriter output, bool wide)
    {
        if (wide || !IsConsole(output)) return null;
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null; // no terminal after all
        }
    }

    /// <summary>A live view only where a person watches: our writer is the real, unredirected console of a terminal.</summary>
    private static bool IsInteractive(TextWriter output) => IsConsole(output) && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Our writer is the process's own console, not redirected to a file or a pipe.</summary>
    private static bool IsConsole(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Bad input (an argument, a file, data in a store): its lines and exit code 2. Anything else: one line and exit code 1.</summary>
    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UserError e)
        {
            foreach (var line in e.Lines) error.WriteLine($"error: {line}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is InvalidDataException or Core.Files.RefusedFileException)
        {
            // Data read from a file or a store that is not what SweepGrid wrote (a damaged file, a name
            // that is not a name, a FIFO where a file should be): nothing is done with it.
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled: unfinished trials will run when the sweep is run again");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            // One line here; the stack goes to the log (the store's logs/ once a run has set it up).
            Serilog.Log.Error(e, "Command failed");
            error.WriteLine($"error: {e.GetBaseException().Message}");
            return ExitCodes.Failure;
        }
    }
}
