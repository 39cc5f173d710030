using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Scheduling;

/// <summary>Whether a sweep's trials may start: what its users last said of it (<see cref="SweepControl"/>).</summary>
public enum SweepStanding
{
    /// <summary>Its trials start as its share of the slots allows.</summary>
    Open,

    /// <summary>No trial starts, and running ones are handed back; its trials stay pending.</summary>
    Paused,

    /// <summary>No trial starts, running ones are stopped, and every trial without a result is cancelled.</summary>
    Cancelled,
}

/// <summary>What a user asks of a whole sweep: sweepgrid pause, resume, cancel or priority.</summary>
public enum SweepControlKind
{
    Pause,
    Resume,
    Cancel,
    Priority,
}

/// <param name="Priority">The new priority, for <see cref="SweepControlKind.Priority"/>.</param>
public sealed record SweepControl(SweepControlKind Kind, int? Priority = null)
{
    public static readonly SweepControl Pause = new(SweepControlKind.Pause), Resume = new(SweepControlKind.Resume), Cancel = new(SweepControlKind.Cancel);

    public static SweepControl SetPriority(int priority) => new(SweepControlKind.Priority, priority);

    /// <summary>
    /// Why the control cannot be carried out as asked whatever the sweep's state (a priority out of range, a
    /// kind that is not one): checked where it is typed and again where it arrives, since a message from
    /// the network is not trusted. Null when it is well formed.
    /// </summary>
    public string? Malformed => Kind switch
    {
        SweepControlKind.Priority when Priority is not (>= SweepSpec.MinPriority and <= SweepSpec.MaxPriority) =>
            $"priority: must be an integer from {SweepSpec.MinPriority} to {SweepSpec.MaxPriority}, got {Priority?.ToString() ?? "none"}",
        SweepControlKind.Pause or SweepControlKind.Resume or SweepControlKind.Cancel when Priority is not null => $"{Verb}: takes no priority",
        SweepControlKind.Pause or SweepControlKind.Resume or SweepControlKind.Cancel or SweepControlKind.Priority => null,
        _ => $"unknown control {(int)Kind}",
    };

    /// <summary>The command's name, as typed.</summary>
    public string Verb => Kind.ToString().ToLowerInvariant();
}

/// <summary>What a control leads to: the events to journal (none: nothing changes), or why it is refused.</summary>
/// <param name="Refusal">Set when the control does not apply to the sweep as it stands (bad input: nothing was changed).</param>
public sealed record ControlDecision(IReadOnlyList<ISweepEvent> Events, string? Refusal = null)
{
    public static ControlDecision Refused(string why) => new([], why);
}
