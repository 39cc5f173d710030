using System.CommandLine;

namespace SweepGrid.Cli;

/// <summary>
/// The options several commands share, each declared once (as dotnet/sdk's CommonOptions does): a
/// command gets its own instance, with the wording that fits it where the meaning is the same.
/// </summary>
internal static class CommonOptions
{
    public const string DefaultStore = "sweepgrid-data";

    public static Option<string> Store() => new("--store")
    {
        Description = "Folder of the store: SQLite journal and result tables, checkpoints, weights, logs " +
                      "(with SWEEPGRID_POSTGRES set, journal and tables are in that PostgreSQL database)",
        DefaultValueFactory = _ => DefaultStore,
    };

    /// <param name="more">What else it leaves out in this command, e.g. " (no live view, no per-epoch lines)".</param>
    public static Option<bool> Quiet(string more = "") => new("--quiet") { Description = "Plain progress lines for trial starts and ends only" + more };

    /// <summary>Seed nodes of a cluster, HOST:PORT each (checked by ClusterCommands before anything starts).</summary>
    public static Option<string[]> Seeds(string description, bool required = false) => new("--seed")
    {
        Description = description,
        Required = required,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The address this process is reachable at in a cluster: loopback unless told otherwise.</summary>
    public static Option<string> Host(string description) => new("--host") { Description = description, DefaultValueFactory = _ => "127.0.0.1" };

    public static Option<int> ClientPort() => new("--port")
    {
        Description = "With --seed: this client's remoting port; default 0, any free port (on Kubernetes use 4053, the port the NetworkPolicy admits)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<bool> Wide() => new("--wide")
    {
        Description = "Print every column of the tables, however wide (the default when the output is not a terminal)",
    };
}
