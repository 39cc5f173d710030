using SweepGrid.Core.Results;

namespace SweepGrid.Cluster.Recording;

/// <summary>
/// What a trial recorder's journal holds. <see cref="Seq"/> numbers an attempt's reports from 1, so a
/// report the slot sends again (its acknowledgement was lost) is recognised and not journaled twice;
/// 0 in journals written before reports were numbered.
/// </summary>
public interface IRecorderEvent
{
    int Attempt { get; }

    int Seq { get; }
}

/// <summary>One epoch's metrics from attempt <see cref="Attempt"/>.</summary>
public sealed record EpochRecorded(int Attempt, EpochRecord Record, int Seq = 0) : IRecorderEvent;

/// <summary>How attempt <see cref="Attempt"/> ended.</summary>
public sealed record OutcomeRecorded(int Attempt, TrialOutcome Outcome, int Seq = 0) : IRecorderEvent;

/// <summary>Trajectory points of attempt <see cref="Attempt"/>, one epoch's worth.</summary>
public sealed record PointsRecorded(int Attempt, IReadOnlyList<TrajectoryPoint> Points, int Seq = 0) : IRecorderEvent;

/// <summary>One flatness measurement of attempt <see cref="Attempt"/>.</summary>
public sealed record FlatnessRecorded(int Attempt, FlatnessRecord Record, int Seq = 0) : IRecorderEvent;

/// <summary>One iterate interpolation of attempt <see cref="Attempt"/>.</summary>
public sealed record WalkRecorded(int Attempt, WalkRecord Record, int Seq = 0) : IRecorderEvent;

/// <summary>The Hessian's Lanczos nodes measured by attempt <see cref="Attempt"/>.</summary>
public sealed record SpectrumRecorded(int Attempt, SpectrumRecord Record, int Seq = 0) : IRecorderEvent;
