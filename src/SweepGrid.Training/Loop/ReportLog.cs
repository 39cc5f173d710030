using SweepGrid.Core.Results;

namespace SweepGrid.Training.Loop;

/// <summary>
/// Forwards a trial's reports to its observer and keeps what a checkpoint needs of them: the last
/// epoch's record, the sums of the ‖w_t − w₀‖ log fit, and the reports not yet known to be stored.
/// The store confirms them in order by count (<paramref name="stored"/>: how many of this attempt's
/// reports it holds durably); the ones it has confirmed are dropped, so a checkpoint stays the same
/// size however long the trial runs, and grows only while the store lags (an outage), when the
/// reports it carries are the ones a killed node would otherwise lose (see <see cref="Checkpoints.TrialPosition"/>).
/// </summary>
/// <param name="stored">How many of this attempt's reports, counted from its first (replayed ones included), are stored; null: none known, every report is kept.</param>
internal sealed class ReportLog(ITrainingObserver observer, Func<int>? stored)
{
    private readonly List<(int Number, object Report)> _unstored = [];
    private int _made;

    public EpochRecord? Last { get; private set; }

    /// <summary>The log fit's sums over every point so far, replayed or made.</summary>
    public LogFit.Sums Fit { get; private set; } = new();

    public void Trajectory(IReadOnlyList<TrajectoryPoint> points)
    {
        foreach (var p in points) Fit = Fit.Add(p.Step, p.WeightDistance);
        Keep(points);
        observer.OnTrajectory(points);
    }

    public void Walk(WalkRecord walk)
    {
        Keep(walk);
        observer.OnWalk(walk);
    }

    public void Epoch(EpochRecord record)
    {
        Last = record;
        Keep(record);
        observer.OnEpoch(record);
    }

    public void Measured(FlatnessRecord record)
    {
        Keep(record);
        observer.OnFlatness(record);
    }

    public void Spectrum(SpectrumRecord record)
    {
        Keep(record);
        observer.OnSpectrum(record);
    }

    /// <summary>The reports the store has not confirmed yet, oldest first, as a checkpoint stores them.</summary>
    public Unconfirmed Unstored()
    {
        DropStored();
        var reports = _unstored.Select(r => r.Report).ToList();
        return new Unconfirmed(reports.OfType<EpochRecord>().ToList(), reports.OfType<IReadOnlyList<TrajectoryPoint>>().SelectMany(p => p).ToList(),
            reports.OfType<WalkRecord>().ToList(), reports.OfType<FlatnessRecord>().ToList(), reports.OfType<SpectrumRecord>().ToList());
    }

    public sealed record Unconfirmed(List<EpochRecord> Epochs, List<TrajectoryPoint> Points, List<WalkRecord> Walks, List<FlatnessRecord> Flatness,
        List<SpectrumRecord> Spectra);

    /// <summary>
    /// Takes over a checkpoint: its last epoch and fit sums, and its unconfirmed reports, which are
    /// reported again (as this attempt's first reports) in the order they were first made.
    /// </summary>
    public void Replay(Checkpoints.TrialPosition position)
    {
        observer.OnResumed(position.Epoch, position.StepInEpoch);
        Trajectory(position.Points);
        foreach (var walk in position.Walks) Walk(walk);
        foreach (var record in position.Flatness) Measured(record);
        foreach (var record in position.Spectra ?? []) Spectrum(record);
        foreach (var record in position.Epochs) Epoch(record);
        Last = position.LastEpoch ?? Last;
        // A checkpoint written before the sums existed carries every point, just added; one with the
        // sums carries only unconfirmed points, which the sums already count.
        if (position.Fit is { } sums) Fit = sums;
    }

    /// <summary>Keeps a report until the store confirms it (memory, too, stays bounded while the store keeps up).</summary>
    private void Keep(object report)
    {
        DropStored();
        _unstored.Add((++_made, report));
    }

    /// <summary>Forgets the confirmed reports: a prefix, since the store confirms them in order.</summary>
    private void DropStored()
    {
        if (stored?.Invoke() is not { } confirmed) return;
        int count = 0;
        while (count < _unstored.Count && _unstored[count].Number <= confirmed) count++;
        _unstored.RemoveRange(0, count);
    }
}
