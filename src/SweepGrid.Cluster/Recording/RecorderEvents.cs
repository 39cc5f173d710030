using SweepGrid.Core.Results;

namespace SweepGrid.Cluster.Recording;

/// <summary>What a trial recorder's journal holds.</summary>
public interface IRecorderEvent;

/// <summary>One epoch's metrics from attempt <see cref="Attempt"/>.</summary>
public sealed record EpochRecorded(int Attempt, EpochRecord Record) : IRecorderEvent;

/// <summary>How attempt <see cref="Attempt"/> ended.</summary>
public sealed record OutcomeRecorded(int Attempt, TrialOutcome Outcome) : IRecorderEvent;

/// <summary>Trajectory points of attempt <see cref="Attempt"/>, one epoch's worth.</summary>
public sealed record PointsRecorded(int Attempt, IReadOnlyList<TrajectoryPoint> Points) : IRecorderEvent;

/// <summary>One flatness measurement of attempt <see cref="Attempt"/>.</summary>
public sealed record FlatnessRecorded(int Attempt, FlatnessRecord Record) : IRecorderEvent;

/// <summary>One iterate interpolation of attempt <see cref="Attempt"/>.</summary>
public sealed record WalkRecorded(int Attempt, WalkRecord Record) : IRecorderEvent;
