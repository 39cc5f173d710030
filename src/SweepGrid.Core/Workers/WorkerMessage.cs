using System.Text.Json.Serialization;
using SweepGrid.Core.Results;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Workers;

/// <summary>
/// What a training slot (in the node process) and its worker process (`sweepgrid worker`, the only
/// process that loads libtorch) say to each other, one frame each (<see cref="WorkerFrames"/>). The
/// slot sends a trial, says how many of its reports are stored, that its node is alive, and at most asks to release it; the worker runs one trial at a time
/// and reports its progress and its end. Numbers, ids and file paths only: no tensor crosses.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WorkerReady), "ready")]
[JsonDerivedType(typeof(RunTrial), "run")]
[JsonDerivedType(typeof(ReleaseTrial), "release")]
[JsonDerivedType(typeof(ReportsStored), "stored")]
[JsonDerivedType(typeof(NodeAlive), "alive")]
[JsonDerivedType(typeof(TrialResumed), "resumed")]
[JsonDerivedType(typeof(TrialEpochDone), "epoch")]
[JsonDerivedType(typeof(TrialPointsDone), "points")]
[JsonDerivedType(typeof(TrialFlatnessDone), "flatness")]
[JsonDerivedType(typeof(TrialWalkDone), "walk")]
[JsonDerivedType(typeof(TrialSpectrumDone), "spectrum")]
[JsonDerivedType(typeof(TrialEnded), "ended")]
[JsonDerivedType(typeof(TrialCrashed), "crashed")]
[JsonDerivedType(typeof(TrialStopped), "stopped")]
public abstract record WorkerMessage;

// ---- worker → slot ----

/// <summary>The worker is up and waits for a trial (sent once, first).</summary>
/// <param name="StartupSeconds">From the process's start to this frame (runtime, and libtorch when the worker trains).</param>
public sealed record WorkerReady(int ProcessId, double StartupSeconds) : WorkerMessage;

/// <summary>
/// The trial resumes from its checkpoint after <paramref name="Epoch"/> epochs and <paramref name="StepInEpoch"/>
/// steps of the next; what follows is re-run and re-reported.
/// </summary>
public sealed record TrialResumed(int Epoch, long StepInEpoch = 0) : WorkerMessage;

public sealed record TrialEpochDone(EpochRecord Record) : WorkerMessage;

/// <summary>An epoch's trajectory points, before its <see cref="TrialEpochDone"/>.</summary>
public sealed record TrialPointsDone(IReadOnlyList<TrajectoryPoint> Points) : WorkerMessage;

public sealed record TrialFlatnessDone(FlatnessRecord Record) : WorkerMessage;

public sealed record TrialWalkDone(WalkRecord Record) : WorkerMessage;

/// <summary>The Hessian's Lanczos nodes, after the epoch's <see cref="TrialFlatnessDone"/> frames.</summary>
public sealed record TrialSpectrumDone(SpectrumRecord Record) : WorkerMessage;

/// <summary>The trial ran to an end with a result (completed or diverged).</summary>
public sealed record TrialEnded(TrialOutcome Outcome) : WorkerMessage;

/// <summary>
/// The trial threw: the trial's own failure, unless <paramref name="StoreFull"/> (a checkpoint or weights
/// could not be written for lack of space: the store's fault). <paramref name="Reason"/> is the
/// exception's first line, <paramref name="Detail"/> all of it.
/// </summary>
public sealed record TrialCrashed(string Reason, string Detail, bool StoreFull = false) : WorkerMessage;

/// <summary>
/// The trial stopped because its slot released it: after <paramref name="Epoch"/> epochs and
/// <paramref name="StepInEpoch"/> steps of the next (0: at that epoch's end), checkpointed unless it has no checkpoint path.
/// </summary>
public sealed record TrialStopped(int Epoch, bool Checkpointed, long StepInEpoch = 0) : WorkerMessage;

// ---- slot → worker ----

/// <summary>
/// Run this attempt; the worker answers with progress and one of ended, crashed or stopped. (To stop an
/// attempt at once, its slot kills the worker: a trial stuck in native code cannot be asked.)
/// </summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="CheckpointPath">The trial's checkpoint (TRIAL.ckpt): the attempt writes TRIAL.aN.ckpt beside it every
/// trial.CheckpointEveryEpochs epochs and resumes from the newest attempt's that verifies (CheckpointFile); null: none.</param>
/// <param name="FinalWeightsPath">Where this attempt's weights go if it completes (TRIAL.aN.pt); null: nowhere.</param>
public sealed record RunTrial(TrialSpec Trial, int Attempt, string Device, string? CheckpointPath, string? FinalWeightsPath) : WorkerMessage;

/// <summary>Stop the running trial after its current step, checkpointed: its node is shutting down, or its sweep was paused or cancelled.</summary>
public sealed record ReleaseTrial : WorkerMessage
{
    public static readonly ReleaseTrial Instance = new();
}

/// <summary>
/// The first <paramref name="Count"/> reports of this attempt (its epoch, points, flatness, walk and
/// spectrum frames, in the order sent) are stored durably: its next checkpoint need not carry them.
/// </summary>
public sealed record ReportsStored(string TrialId, int Attempt, int Count) : WorkerMessage;

/// <summary>
/// Sent by the slot every <see cref="Interval"/>: its node is alive and reading. A worker that hears
/// nothing from its node for longer than its silence limit (the node frozen, or downed and about to be)
/// stops training on its own, so a superseded attempt does not train on while its successor runs.
/// </summary>
public sealed record NodeAlive : WorkerMessage
{
    public static readonly NodeAlive Instance = new();

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
}
