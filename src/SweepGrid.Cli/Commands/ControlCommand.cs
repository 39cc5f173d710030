using System.Globalization;
using Akka.Actor;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// `sweepgrid pause`, `cancel`, `priority`, and the reopening half of `resume`: one control of one sweep,
/// journaled by the sweep's coordinator before it is answered. With --seed it goes to a running cluster's
/// director; otherwise to an embedded store, whose coordinator this process recovers (the store must not
/// be in use by a `run`: StoreLock).
/// </summary>
internal static class ControlCommand
{
    /// <summary>Where the control goes: a cluster (seeds) or a store folder.</summary>
    public sealed record Target(string Store, IReadOnlyList<string> Seeds, string Host, int Port, ClusterAccess Access);

    /// <summary>A coordinator recovering a journal of 100,000 trials takes seconds; a cluster's director may be moving.</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string sweep, SweepControl control, Target target, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var answer = await SendAsync(sweep, control, target, error, ct);
        output.WriteLine(Describe(answer, control));
        return ExitCodes.Success;
    }

    /// <summary>Sends the control and returns the coordinator's answer.</summary>
    /// <exception cref="UserError">A malformed control, an unknown sweep, or one the control does not apply to: nothing was changed.</exception>
    public static async Task<SweepControlled> SendAsync(string sweep, SweepControl control, Target target, TextWriter error, CancellationToken ct)
    {
        Check(sweep, control);
        object answer;
        if (target.Seeds.Count > 0)
        {
            await using var client = await ClusterCommands.StartClient(target.Host, target.Port, target.Seeds, target.Access, error, ct);
            answer = await AskAsync(client.Director, sweep, control, ct);
        }
        else
        {
            var store = Stores.Location(target.Store);
            Exporter.RequireSweep(Stores.ReadOnly(target.Store), sweep);
            Logging.LogSetup.ToStore(target.Store, Logging.LogLevels.FromConfig(), "control");
            await using var node = await SweepGridNode.StartLocalAsync(store, SlotPlan.None, ct: ct);
            answer = await AskAsync(node.Director, sweep, control, ct);
        }

        return Interpret(answer, sweep, control);
    }

    /// <summary>Sends the control through a cluster client this command already has, and returns the answer.</summary>
    public static async Task<SweepControlled> SendAsync(IActorRef director, string sweep, SweepControl control, CancellationToken ct)
    {
        Check(sweep, control);
        return Interpret(await AskAsync(director, sweep, control, ct), sweep, control);
    }

    /// <exception cref="UserError">Not a sweep name, or a malformed control (a priority out of range).</exception>
    private static void Check(string sweep, SweepControl control)
    {
        if (Names.SweepNameProblem(sweep) is { } problem) throw new UserError($"sweep-name: \"{Names.Printable(sweep)}\" {problem}");
        if (control.Malformed is { } malformed) throw new UserError(malformed);
    }

    private static SweepControlled Interpret(object answer, string sweep, SweepControl control) => answer switch
    {
        SweepControlled done => done,
        ControlRefused refused => throw new UserError($"{control.Verb} {sweep}: {refused.Reason}; nothing was changed"),
        SweepDirectorProtocol.UnknownSweep u => throw new UserError(
            $"sweep \"{sweep}\" is not known to the cluster (sweeps there: {(u.Known.Count == 0 ? "none" : string.Join(", ", u.Known))})"),
        _ => throw new InvalidOperationException($"{control.Verb} {sweep}: unexpected answer {answer.GetType().Name}"),
    };

    private static async Task<object> AskAsync(IActorRef director, string sweep, SweepControl control, CancellationToken ct)
    {
        try
        {
            return await director.Ask<object>(new ControlSweep(sweep, control), AnswerWithin, ct);
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"{control.Verb} {sweep}: no answer within {AnswerWithin.TotalSeconds:F0} s (the cluster's director may be moving: try again)");
        }
    }

    /// <summary>One line: what the sweep stands as now, and what happens to its running trials.</summary>
    public static string Describe(SweepControlled a, SweepControl control)
    {
        var counts = a.Counts;
        var stopping = a.Stopping > 0 ? $"; {a.Stopping} running trial(s) stop after their current step, checkpointed" : "";
        return (control.Kind, a.Changed) switch
        {
            (SweepControlKind.Priority, true) => $"sweep {a.SweepName}: priority {a.Priority} (its share of the slots grows or shrinks as running trials end)",
            (SweepControlKind.Priority, false) => $"sweep {a.SweepName}: priority is already {a.Priority}",
            (SweepControlKind.Cancel, _) => string.Create(CultureInfo.InvariantCulture,
                $"sweep {a.SweepName}: cancelled; {counts.Cancelled} trial(s) without a result cancelled, {counts.Completed + counts.Diverged} with a result kept{stopping}"),
            (SweepControlKind.Pause, true) => $"sweep {a.SweepName}: paused; {counts.Pending} trial(s) wait{stopping}",
            (SweepControlKind.Pause, false) => $"sweep {a.SweepName}: already paused",
            (SweepControlKind.Resume, true) => $"sweep {a.SweepName}: resumed; {counts.Pending} trial(s) pending",
            _ => $"sweep {a.SweepName}: {a.Standing.ToString().ToLowerInvariant()}, not paused or cancelled",
        };
    }

    /// <summary>A priority as typed: an integer in range, or the one-line error.</summary>
    public static SweepControl ParsePriority(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var priority) && priority is >= SweepSpec.MinPriority and <= SweepSpec.MaxPriority
            ? SweepControl.SetPriority(priority)
            : throw new UserError($"priority: must be an integer from {SweepSpec.MinPriority} to {SweepSpec.MaxPriority}, got \"{Names.Printable(text)}\"");
}
