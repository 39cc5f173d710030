using SweepGrid.Core.Results;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Forwards a trial's reports to its observer and keeps them, so a checkpoint can carry them and a
/// resumed run can report them again (see <see cref="Checkpoints.TrialPosition"/>).
/// </summary>
internal sealed class ReportLog(ITrainingObserver observer)
{
    public List<EpochRecord> Epochs { get; } = [];

    public List<TrajectoryPoint> Points { get; } = [];

    public List<WalkRecord> Walks { get; } = [];

    public List<FlatnessRecord> Flatness { get; } = [];

    /// <summary>(step, ‖w_t − w₀‖) of every point so far: the data of the log fit.</summary>
    public IEnumerable<(double Step, double Distance)> Distances => Points.Select(p => ((double)p.Step, p.WeightDistance));

    public EpochRecord? Last => Epochs.Count == 0 ? null : Epochs[^1];

    public void Trajectory(IReadOnlyList<TrajectoryPoint> points)
    {
        Points.AddRange(points);
        observer.OnTrajectory(points);
    }

    public void Walk(WalkRecord walk)
    {
        Walks.Add(walk);
        observer.OnWalk(walk);
    }

    public void Epoch(EpochRecord record)
    {
        Epochs.Add(record);
        observer.OnEpoch(record);
    }

    public void Measured(FlatnessRecord record)
    {
        Flatness.Add(record);
        observer.OnFlatness(record);
    }

    /// <summary>Takes over a checkpoint's reports and reports them again, in the order they were first made.</summary>
    public void Replay(Checkpoints.TrialPosition position)
    {
        observer.OnResumed(position.Epoch);
        Trajectory(position.Points);
        foreach (var walk in position.Walks) Walk(walk);
        foreach (var record in position.Flatness) Measured(record);
        foreach (var record in position.Epochs) Epoch(record);
    }
}
